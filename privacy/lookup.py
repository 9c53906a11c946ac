"""Blind indexes: keyed hashes that let an exact value be found without decrypting.

Store ``blind_index(phone, "phone")`` in ``complainant_phone_hash`` next to the encrypted
column and query with ``where(Appeal.complainant_phone_hash == blind_index(q, "phone"))``.
"""

import hashlib
import hmac
import re
import unicodedata

from privacy.keys import current

MOBILE = re.compile(r"1[3-9]\d{9}")


def normalise_phone(value: str) -> str:
    """Digits only, without the +86 / 0086 country code; keeps the trunk 0 of landlines.

    "+86 138-1234-1234" -> "13812341234", "+86 10 6512 3456" -> "01065123456".
    Other international numbers keep their "+" so they cannot collide with domestic ones.
    """
    text = unicodedata.normalize("NFKC", value).strip()
    digits = re.sub(r"[^0-9]", "", text)
    if text.startswith("+86"):
        national = digits[2:]
    elif digits.startswith("0086"):
        national = digits[4:]
    elif len(digits) == 13 and digits.startswith("86") and MOBILE.fullmatch(digits[2:]):
        return digits[2:]
    elif text.startswith("+"):
        return "+" + digits
    else:
        return digits
    # A country code drops the trunk 0 of landlines ("+86 10 ..."): put it back.
    if national and not MOBILE.fullmatch(national) and not national.startswith("0"):
        return "0" + national
    return national


def normalise_name(value: str) -> str:
    """NFKC, no whitespace anywhere, case-folded (for Latin-script names)."""
    return "".join(unicodedata.normalize("NFKC", value).split()).casefold()


_NORMALISERS = {"phone": normalise_phone, "name": normalise_name}


def blind_index(value: str, purpose: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 (INDEX_KEY, or ``key`` when re-hashing under a new one) of the normalised
    value, as 64 hex characters.

    ``purpose`` is "phone" or "name"; it selects the normalisation and separates the
    hash domains. Raises ValueError if nothing is left after normalisation.
    """
    try:
        normalise = _NORMALISERS[purpose]
    except KeyError:
        raise ValueError(f"unknown blind-index purpose {purpose!r}") from None
    normalised = normalise(value)
    if normalised in ("", "+"):
        raise ValueError(f"no {purpose} left to index after normalisation")
    message = f"{purpose}\x00{normalised}".encode()
    return hmac.new(key or current().index, message, hashlib.sha256).hexdigest()
