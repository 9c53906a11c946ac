"""Re-hash the event log under AUDIT_KEY, entry by entry.

Migration 0007 uses it on the log as it was before it was keyed (plain SHA-256), `flask audit
rekey` when AUDIT_KEY is replaced. Each entry whose
content still matches its old hash gets the HMAC of its content under the key, linked to its
predecessor's new hash; an entry that does not match (altered before the upgrade) and the links
around it stay as they were, so `flask audit verify` reports after the upgrade exactly what it
reported before. Written in Core against the table as it is at that migration, not the models.
"""
import hashlib
import hmac
from types import SimpleNamespace

import sqlalchemy as sa

from events.log import GENESIS, event_body
from models.base import UTCDateTime

EVENTS = sa.table(
    "appeal_events",
    *(sa.column(name) for name in ("id", "appeal_id", "seq", "action", "from_status", "to_status", "actor_id",
                                   "actor", "reason", "prev_hash", "hash")),
    sa.column("data", sa.JSON), sa.column("created_at", UTCDateTime),
)
BATCH = 500


def legacy_digest(event) -> str:
    """The unkeyed hash of the log before it was keyed."""
    return hashlib.sha256(event_body(event)).hexdigest()


def rekey(connection, old_digest, key: bytes) -> tuple[int, int]:
    """Re-hash every entry that matches `old_digest` with HMAC under `key`; returns (re-hashed, left)."""
    done = left = 0
    last_appeal = 0
    update = EVENTS.update().where(EVENTS.c.id == sa.bindparam("_id")).values(
        prev_hash=sa.bindparam("new_prev"), hash=sa.bindparam("new_hash"))
    while True:
        appeal_ids = connection.execute(
            sa.select(EVENTS.c.appeal_id).where(EVENTS.c.appeal_id > last_appeal).distinct()
            .order_by(EVENTS.c.appeal_id).limit(BATCH)).scalars().all()
        if not appeal_ids:
            return done, left
        renamed = {GENESIS: GENESIS}  # old hash -> new hash
        updates = []
        for row in connection.execute(sa.select(EVENTS).where(EVENTS.c.appeal_id.in_(appeal_ids))
                                      .order_by(EVENTS.c.appeal_id, EVENTS.c.seq)):
            event = SimpleNamespace(**row._mapping)
            if old_digest(event) != event.hash:
                left += 1
                continue
            event.prev_hash = renamed.get(event.prev_hash, event.prev_hash)
            renamed[event.hash] = hmac.new(key, event_body(event), hashlib.sha256).hexdigest()
            updates.append({"_id": event.id, "new_prev": event.prev_hash, "new_hash": renamed[event.hash]})
        if updates:
            connection.execute(update, updates)
            done += len(updates)
        last_appeal = appeal_ids[-1]


def rotate_key(old_key: bytes) -> tuple[int, int]:
    """Replace AUDIT_KEY, every process stopped: re-hash the log from `old_key` to the configured
    key, then sign every head anew (the old checkpoints, signed with the old key, are dropped:
    the caller verified them first). Returns (re-hashed, left)."""
    from flask import current_app

    from audit.checkpoints import checkpoint
    from events.log import event_digest
    from kernel.db import db
    from models import AuditCheckpoint, AuditCheckpointHead

    connection = db.session.connection()
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection.exec_driver_sql("ALTER TABLE appeal_events DISABLE TRIGGER appeal_events_append_only")
    result = rekey(connection, lambda event: event_digest(event, old_key), current_app.config["AUDIT_KEY"].encode())
    if postgres:
        connection.exec_driver_sql("ALTER TABLE appeal_events ENABLE TRIGGER appeal_events_append_only")
    connection.execute(sa.delete(AuditCheckpointHead))
    connection.execute(sa.delete(AuditCheckpoint))
    db.session.commit()
    checkpoint()
    return result
