"""Re-encrypt stored EncryptedString values under the newest data key; re-hash the lookup
columns under a new INDEX_KEY. Both walk a table by primary key, one transaction per batch."""

from sqlalchemy import Engine, Table, Text, bindparam, select, type_coerce, update

from privacy.crypto import DecryptionError, decrypt, needs_rotation, rotate
from privacy.lookup import blind_index
from privacy.types import EncryptedString

# Keyed lookup hashes (privacy.lookup): (table, encrypted source column, hash column, purpose).
INDEXED = [("appeals", "complainant_phone", "complainant_phone_hash", "phone")]


def encrypted_columns(table: Table) -> list:
    """The columns of ``table`` declared as EncryptedString."""
    return [column for column in table.columns if isinstance(column.type, EncryptedString)]


def _batches(engine: Engine, table: Table, columns: list, batch_size: int):
    """Yield (connection, rows) per batch, rows = (primary key, *columns as stored), in key
    order; each batch is its own transaction, committed when the caller asks for the next."""
    (pk,) = table.primary_key.columns
    raw = [type_coerce(column, Text).label(column.name) for column in columns]
    last = None
    while True:
        query = select(pk, *raw).order_by(pk).limit(batch_size)
        if last is not None:
            query = query.where(pk > last)
        with engine.begin() as connection:
            rows = connection.execute(query).all()
            yield connection, rows
        if len(rows) < batch_size:
            return
        last = rows[-1][0]


def undecryptable(engine: Engine, table: Table, batch_size: int = 500) -> list[str]:
    """Every stored value of ``table`` that no configured DATA_KEYS entry decrypts (in Chinese).
    Run before a rotation writes anything: a missing old key is found before, not half-way."""
    columns = encrypted_columns(table)
    problems = []
    if not columns:
        return problems
    for _, rows in _batches(engine, table, columns, batch_size):
        for row in rows:
            for column in columns:
                token = row._mapping[column.name]
                try:
                    if token is not None:
                        decrypt(token)
                except DecryptionError:
                    problems.append(f"{table.name} 第 {row[0]} 行的 {column.name} 无法用 DATA_KEYS 中的任何密钥解密")
    return problems


def rotate_table(engine: Engine, table: Table, batch_size: int = 500) -> int:
    """Rotate every EncryptedString value of ``table``; return how many values were re-encrypted.

    Can be interrupted and re-run: values already under the newest key are skipped. A value
    changed by the application meanwhile is left alone, because each update only matches the
    exact ciphertext that was read. A value no configured key decrypts raises DecryptionError;
    the batches before it stay committed (check with `undecryptable` first).
    """
    columns = encrypted_columns(table)
    if not columns:
        return 0
    (pk,) = table.primary_key.columns
    rewritten = 0
    for connection, rows in _batches(engine, table, columns, batch_size):
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
    return rewritten


def rehash_table(engine: Engine, table: Table, source: str, target: str, purpose: str, index_key: bytes,
                 batch_size: int = 500) -> int:
    """Recompute ``target`` = blind_index(decrypted ``source``, purpose) under ``index_key`` for
    every row; return how many hashes changed. Can be interrupted and re-run: rows whose hash is
    already the new one are skipped."""
    (pk,) = table.primary_key.columns
    changed = 0
    for connection, rows in _batches(engine, table, [table.c[source], table.c[target]], batch_size):
        params = [
            {"_pk": key, "_new": new}
            for key, token, stored in rows
            if token is not None and (new := blind_index(decrypt(token), purpose, index_key)) != stored
        ]
        if params:
            connection.execute(update(table).where(pk == bindparam("_pk")).values({target: bindparam("_new")}), params)
            changed += len(params)
    return changed
