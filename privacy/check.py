"""`flask privacy check-keys`: do the configured keys fit the stored data?

A process started with wrong or new keys answers every read with a 500 and writes appeals no other
process can decrypt; nothing else notices. This decrypts the newest rows of every encrypted column
(complainants, partner and subscription secrets) and recomputes the phone lookup hash of the newest
appeals, so a deployment can run it before it starts serving.
"""
from dataclasses import dataclass, field

from sqlalchemy import Text, select, type_coerce

from kernel.db import db
from privacy.crypto import DecryptionError, decrypt
from privacy.lookup import blind_index
from privacy.rotation import encrypted_columns


@dataclass
class KeyCheck:
    decrypted: int = 0
    hashes: int = 0
    problems: list[str] = field(default_factory=list)


def check_keys(sample: int = 50) -> KeyCheck:
    """Decrypt up to `sample` newest values of every encrypted column, recompute up to `sample`
    phone hashes; every value that does not fit is a problem (in Chinese)."""
    result = KeyCheck()
    for table in db.metadata.sorted_tables:
        columns = encrypted_columns(table)
        if not columns:
            continue
        (pk,) = table.primary_key.columns
        raw = [type_coerce(column, Text).label(column.name) for column in columns]
        for row in db.session.execute(select(pk, *raw).order_by(pk.desc()).limit(sample)):
            for column in columns:
                token = row._mapping[column.name]
                if token is None:
                    continue
                try:
                    decrypt(token)
                    result.decrypted += 1
                except DecryptionError:
                    result.problems.append(f"{table.name} 第 {row[0]} 行的 {column.name} 无法用 DATA_KEYS 解密")
    appeals = db.metadata.tables["appeals"]  # the table, not the model: privacy lies below models
    newest = db.session.execute(
        select(appeals.c.number, type_coerce(appeals.c.complainant_phone, Text), appeals.c.complainant_phone_hash)
        .order_by(appeals.c.id.desc()).limit(sample))
    for number, token, stored in newest:
        try:
            phone = decrypt(token)
        except DecryptionError:
            continue  # reported above
        result.hashes += 1
        if blind_index(phone, "phone") != stored:
            result.problems.append(f"诉求 {number} 的电话检索哈希与 INDEX_KEY 不符")
    db.session.rollback()
    return result
