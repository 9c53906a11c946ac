"""Re-encrypt stored EncryptedString values under the newest data key."""

from sqlalchemy import Engine, Table, Text, bindparam, select, type_coerce, update

from privacy.crypto import needs_rotation, rotate
from privacy.types import EncryptedString


def encrypted_columns(table: Table) -> list:
    """The columns of ``table`` declared as EncryptedString."""
    return [column for column in table.columns if isinstance(column.type, EncryptedString)]


def rotate_table(engine: Engine, table: Table, batch_size: int = 500) -> int:
    """Rotate every EncryptedString value of ``table``; return how many values were re-encrypted.

    Walks the table by primary key (which must be a single column), one transaction per
    batch, so it can be interrupted and re-run: values already under the newest key are
    skipped. A value changed by the application meanwhile is left alone, because each
    update only matches the exact ciphertext that was read. A value no configured key
    decrypts raises DecryptionError; the batches before it stay committed.
    """
    columns = encrypted_columns(table)
    if not columns:
        return 0
    (pk,) = table.primary_key.columns
    raw = [type_coerce(column, Text).label(column.name) for column in columns]
    rewritten = 0
    last = None
    while True:
        query = select(pk, *raw).order_by(pk).limit(batch_size)
        if last is not None:
            query = query.where(pk > last)
        with engine.begin() as connection:
            rows = connection.execute(query).all()
            for column in columns:
                params = [
                    {"_pk": row[0], "_old": token, "_new": rotate(token)}
                    for row in rows
                    if (token := row._mapping[column.name]) is not None and needs_rotation(token)
                ]
                if params:
                    connection.execute(
                        update(table)
                        .where(pk == bindparam("_pk"))
                        .where(type_coerce(column, Text) == bindparam("_old", type_=Text))
                        .values({column: bindparam("_new", type_=Text)}),
                        params,
                    )
                    rewritten += len(params)
        if len(rows) < batch_size:
            return rewritten
        last = rows[-1][0]
