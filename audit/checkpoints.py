"""Signed checkpoints of every appeal's event-log head: the periodic job `audit-checkpoint`.

A hash chain cannot show that its newest entries were deleted: what is left is still a valid
chain. Each run records the head (seq, hash) of every appeal whose log grew since the run before,
and signs them, with the previous checkpoint's signature, under AUDIT_KEY (HMAC-SHA256). `flask
audit verify` then finds every signed head still in the log, every checkpoint's signature valid
and linked to the one before, and no entry older than MAX_AGE after the newest checkpoint (the
job stopped, or its newest checkpoints were removed).
"""
import hashlib
import hmac
import json
from datetime import timedelta

from sqlalchemy import and_, func, select

from events.log import GENESIS, audit_key
from jobs import periodic
from jobs.registry import register
from kernel.db import db
from models import AppealEvent, AuditCheckpoint, AuditCheckpointHead
from models.base import utcnow

INTERVAL = periodic.entry("audit-checkpoint").interval
# Entries of transactions still open while a run reads are taken by the next run.
OVERLAP = timedelta(minutes=5)
MAX_AGE = timedelta(seconds=3 * INTERVAL)
BATCH = 5000  # heads per checkpoint (a first run over a large log makes several)


def sign(checkpoint: AuditCheckpoint, previous_signature: str, heads, key: bytes | None = None) -> str:
    """HMAC-SHA256 of the checkpoint, its heads [(appeal_id, seq, hash)] and the previous signature."""
    body = [previous_signature, checkpoint.id, checkpoint.previous_id, checkpoint.created_at.isoformat(),
            [list(head) for head in heads]]
    return hmac.new(key or audit_key(), json.dumps(body).encode(), hashlib.sha256).hexdigest()


def _changed_heads(since, after_appeal: int) -> list[tuple[int, int, str]]:
    """The next BATCH heads (appeal_id, seq, hash), by appeal, of logs that grew since `since`."""
    grew = select(AppealEvent.appeal_id).where(AppealEvent.appeal_id > after_appeal)
    if since is not None:
        grew = grew.where(AppealEvent.created_at >= since - OVERLAP)
    newest = (select(AppealEvent.appeal_id, func.max(AppealEvent.seq).label("seq"))
              .where(AppealEvent.appeal_id.in_(grew)).group_by(AppealEvent.appeal_id)
              .order_by(AppealEvent.appeal_id).limit(BATCH).subquery())
    rows = db.session.execute(
        select(AppealEvent.appeal_id, AppealEvent.seq, AppealEvent.hash)
        .join(newest, and_(AppealEvent.appeal_id == newest.c.appeal_id, AppealEvent.seq == newest.c.seq))
        .order_by(AppealEvent.appeal_id)
    ).all()
    return [tuple(row) for row in rows]


def _signed_seqs(appeal_ids: list[int]) -> dict[int, int]:
    return dict(db.session.execute(
        select(AuditCheckpointHead.appeal_id, func.max(AuditCheckpointHead.seq))
        .where(AuditCheckpointHead.appeal_id.in_(appeal_ids)).group_by(AuditCheckpointHead.appeal_id)
    ).all())


@register("audit_checkpoint")
def checkpoint(key: bytes | None = None) -> int:
    """One run; returns how many heads it signed (under `key`, or the configured AUDIT_KEY). Each
    checkpoint is committed on its own."""
    last = db.session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
    since = last.created_at if last is not None else None
    signed, after_appeal = 0, 0
    while True:
        candidates = _changed_heads(since, after_appeal)
        if not candidates:
            db.session.rollback()
            return signed
        after_appeal = candidates[-1][0]
        known = _signed_seqs([head[0] for head in candidates])
        heads = [head for head in candidates if known.get(head[0]) != head[1]]
        if heads:
            last = _record(last, heads, key)
            signed += len(heads)
        db.session.commit()


def _record(last: AuditCheckpoint | None, heads, key: bytes | None) -> AuditCheckpoint:
    checkpoint = AuditCheckpoint(previous_id=last.id if last else 0, created_at=utcnow(), signature="")
    db.session.add(checkpoint)
    db.session.flush()
    checkpoint.signature = sign(checkpoint, last.signature if last else GENESIS, heads, key)
    db.session.add_all(AuditCheckpointHead(checkpoint_id=checkpoint.id, appeal_id=appeal_id, seq=seq, hash=hash_)
                       for appeal_id, seq, hash_ in heads)
    return checkpoint
