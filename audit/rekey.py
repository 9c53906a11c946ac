"""Re-hash whole event chains under AUDIT_KEY.

Migration 0007 uses it on the chains made before the log was keyed (plain SHA-256): each chain
that verifies in full under the old digest is re-hashed with HMAC under the key; a chain that
does not verify is left as it is, so `flask audit verify` goes on reporting it. Written in Core
against the table as it is at that migration, not through the models.
"""
import hashlib
import hmac
from types import SimpleNamespace

import sqlalchemy as sa

from models.base import UTCDateTime
from workflow.events import GENESIS, event_body

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


def _intact(chain: list, digest) -> bool:
    previous = GENESIS
    for expected_seq, event in enumerate(chain, start=1):
        if event.seq != expected_seq or event.prev_hash != previous or digest(event) != event.hash:
            return False
        previous = event.hash
    return True


def _rehashed(chain: list, key: bytes) -> list[dict]:
    updates, previous = [], GENESIS
    for event in chain:
        event = SimpleNamespace(**{**vars(event), "prev_hash": previous})
        previous = hmac.new(key, event_body(event), hashlib.sha256).hexdigest()
        updates.append({"_id": event.id, "prev_hash": event.prev_hash, "hash": previous})
    return updates


def rekey(connection, old_digest, key: bytes) -> tuple[int, int]:
    """Re-hash every chain intact under `old_digest` with HMAC under `key`; returns (re-hashed, left)."""
    done = left = 0
    last_appeal = 0
    update = EVENTS.update().where(EVENTS.c.id == sa.bindparam("_id")).values(
        prev_hash=sa.bindparam("prev_hash"), hash=sa.bindparam("hash"))
    while True:
        appeal_ids = connection.execute(
            sa.select(EVENTS.c.appeal_id).where(EVENTS.c.appeal_id > last_appeal).distinct()
            .order_by(EVENTS.c.appeal_id).limit(BATCH)).scalars().all()
        if not appeal_ids:
            return done, left
        chains = {}
        for row in connection.execute(sa.select(EVENTS).where(EVENTS.c.appeal_id.in_(appeal_ids))
                                      .order_by(EVENTS.c.appeal_id, EVENTS.c.seq)):
            chains.setdefault(row.appeal_id, []).append(SimpleNamespace(**row._mapping))
        updates = []
        for chain in chains.values():
            if _intact(chain, old_digest):
                updates += _rehashed(chain, key)
                done += 1
            else:
                left += 1
        if updates:
            connection.execute(update, updates)
        last_appeal = appeal_ids[-1]
