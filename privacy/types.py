"""SQLAlchemy column type that stores strings encrypted at rest."""

from sqlalchemy import Text
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator

from privacy.crypto import decrypt, encrypt

# Ciphertext is randomised, so these comparisons would silently match nothing.
_REFUSED_OPERATORS = {
    operators.eq, operators.ne, operators.lt, operators.le, operators.gt, operators.ge,
    operators.in_op, operators.not_in_op, operators.like_op, operators.not_like_op,
    operators.ilike_op, operators.not_ilike_op, operators.contains_op,
    operators.startswith_op, operators.endswith_op, operators.between_op,
}


class EncryptedString(TypeDecorator):
    """A ``str`` column encrypted with the configured DATA_KEYS; None stays NULL.

    The column cannot be compared in SQL (``== value`` raises TypeError): search through
    a ``*_hash`` column filled with :func:`privacy.lookup.blind_index` instead.
    ``IS NULL`` / ``== None`` still work.
    """

    impl = Text
    cache_ok = True

    class comparator_factory(TypeDecorator.Comparator):
        def operate(self, op, *other, **kwargs):
            if op in _REFUSED_OPERATORS and not (len(other) == 1 and other[0] is None):
                raise TypeError(
                    "an EncryptedString column cannot be compared in SQL; "
                    "query its blind-index (*_hash) column instead"
                )
            return super().operate(op, *other, **kwargs)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, str):
            raise TypeError(f"EncryptedString expects str, got {type(value).__name__}")
        return encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)
