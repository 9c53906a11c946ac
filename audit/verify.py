"""Verify the per-appeal hash chain of the event log, and the signed checkpoints of its heads.

Each entry's hash is an HMAC (AUDIT_KEY) of its content and the previous entry's hash
(events.log), so: an edited entry no longer matches its own hash (altered), also when the
later hashes were recomputed without the key; a deleted entry leaves a gap in seq (missing), or,
if it was the last one, leaves the appeal in a status the log does not end in (the tail is
missing). A removed last entry that did not change the status (a read of complainant data, say)
shows against the signed checkpoints (audit.checkpoints): the head they recorded is gone
(truncated). The checkpoints chain as the entries do, so one removed or edited breaks the
chain; one removed from the end leaves entries older than MAX_AGE unanchored (stale).
"""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from audit.checkpoints import MAX_AGE, sign
from events.log import GENESIS, event_digest
from kernel.db import db
from models import Appeal, AppealEvent, AuditCheckpoint, AuditCheckpointHead, City
from models.base import utcnow

BATCH = 500
KINDS = {
    "altered": "内容被篡改（哈希不符）",
    "broken_link": "链接断裂（与前一条记录的哈希不符）",
    "missing": "缺失",
    "tail_missing": "日志末尾缺失：诉求当前状态与最后一条记录不符",
    "truncated": "缺失：已签名的检查点记录到此条，日志末尾被删除",
    "head_altered": "与已签名检查点记录的哈希不符",
    "empty": "没有任何办理记录",
}
CHECKPOINT_KINDS = {
    "forged": "签名不符（检查点被篡改、删改了其中的记录，或 AUDIT_KEY 不对）",
    "unlinked": "与前一个检查点不相接（中间的检查点被删除）",
    "stale": "之后的 {count} 条办理记录已超过 {minutes} 分钟仍没有签名检查点（检查点任务未运行，或最新的检查点被删除）",
}


@dataclass(frozen=True)
class Problem:
    number: str
    seq: int | None
    kind: str

    def describe(self) -> str:
        where = f"第 {self.seq} 条记录" if self.seq is not None else "办理记录"
        return f"诉求 {self.number}：{where}{KINDS[self.kind]}"


@dataclass(frozen=True)
class CheckpointProblem:
    checkpoint: int | None  # None: after the newest checkpoint
    kind: str
    count: int = 0

    def describe(self) -> str:
        where = f"审计检查点 {self.checkpoint}" if self.checkpoint is not None else "最新审计检查点"
        return where + "：" + CHECKPOINT_KINDS[self.kind].format(count=self.count,
                                                              minutes=int(MAX_AGE.total_seconds() // 60))


@dataclass
class Report:
    appeals: int = 0
    events: int = 0
    checkpoints: int = 0
    problems: list = field(default_factory=list)


def check_chain(number: str, status: str, events: list[AppealEvent], head: tuple[int, str] | None = None,
                key: bytes | None = None) -> list[Problem]:
    """The problems of one appeal's log, `events` ordered by seq; `head` is the newest signed (seq, hash)."""
    if not events:
        return [Problem(number, None, "empty")]
    problems = []
    expected_seq, previous_hash = 1, GENESIS
    for event in events:
        gap = event.seq != expected_seq
        problems += [Problem(number, seq, "missing") for seq in range(expected_seq, event.seq)]
        if event_digest(event, key) != event.hash:
            problems.append(Problem(number, event.seq, "altered"))
        elif event.prev_hash != previous_hash and not gap:
            # After a gap the link is broken by the missing entry, already reported.
            problems.append(Problem(number, event.seq, "broken_link"))
        expected_seq, previous_hash = event.seq + 1, event.hash
    if events[-1].to_status != status:
        problems.append(Problem(number, events[-1].seq + 1, "tail_missing"))
    if head is not None:
        seq, hash_ = head
        signed = next((event for event in events if event.seq == seq), None)
        if seq > events[-1].seq:
            problems.append(Problem(number, seq, "truncated"))
        elif signed is not None and signed.hash != hash_:
            problems.append(Problem(number, seq, "head_altered"))
    return problems


def check_checkpoints(report: Report, key: bytes | None = None) -> None:
    """Every checkpoint's signature over its heads, and its link to the one before."""
    previous_id, previous_signature = 0, GENESIS
    last_id = 0
    while True:
        batch = db.session.scalars(select(AuditCheckpoint).where(AuditCheckpoint.id > last_id)
                                   .options(selectinload(AuditCheckpoint.heads))
                                   .order_by(AuditCheckpoint.id).limit(BATCH)).all()
        if not batch:
            return
        for checkpoint in batch:
            heads = [(h.appeal_id, h.seq, h.hash) for h in checkpoint.heads]
            if checkpoint.previous_id != previous_id:
                report.problems.append(CheckpointProblem(checkpoint.id, "unlinked"))
            if sign(checkpoint, previous_signature, heads, key) != checkpoint.signature:
                report.problems.append(CheckpointProblem(checkpoint.id, "forged"))
            previous_id, previous_signature = checkpoint.id, checkpoint.signature
            report.checkpoints += 1
        last_id = batch[-1].id
        db.session.expunge_all()


def _signed_heads(appeal_ids: list[int]) -> dict[int, tuple[int, str]]:
    """The newest signed head of each appeal."""
    heads = {}
    rows = db.session.execute(select(AuditCheckpointHead.appeal_id, AuditCheckpointHead.seq, AuditCheckpointHead.hash)
                              .where(AuditCheckpointHead.appeal_id.in_(appeal_ids)))
    for appeal_id, seq, hash_ in rows:
        if appeal_id not in heads or seq > heads[appeal_id][0]:
            heads[appeal_id] = (seq, hash_)
    return heads


def _unanchored(appeals, as_of) -> int:
    """Entries older than MAX_AGE at `as_of` and newer than the newest checkpoint."""
    newest = db.session.scalar(select(func.max(AuditCheckpoint.created_at)))
    query = select(func.count()).select_from(AppealEvent).where(
        AppealEvent.created_at < as_of - MAX_AGE, AppealEvent.appeal_id.in_(appeals.with_only_columns(Appeal.id)))
    if newest is not None:
        query = query.where(AppealEvent.created_at > newest)
    return db.session.scalar(query)


def verify(city: str | None = None, number: str | None = None, key: bytes | None = None,
           as_of: datetime | None = None) -> Report:
    """Check the checkpoints, then every appeal (of one city, or one appeal), in batches so memory
    stays flat; under `key`, or the configured AUDIT_KEY.

    `as_of` is the moment the log is judged at (default now): a restored copy is judged at its
    restore point, where the checkpoint job had had no time yet to sign the newest entries."""
    query = select(Appeal.id, Appeal.number, Appeal.status).order_by(Appeal.id)
    if city is not None:
        query = query.join(City, Appeal.city_id == City.id).where(City.name == city)
    if number is not None:
        query = query.where(Appeal.number == number)
    report = Report()
    check_checkpoints(report, key)
    unanchored = _unanchored(query, as_of or utcnow())
    if unanchored:
        report.problems.append(CheckpointProblem(None, "stale", unanchored))
    last_id = 0
    while True:
        appeals = db.session.execute(query.where(Appeal.id > last_id).limit(BATCH)).all()
        if not appeals:
            return report
        ids = [a.id for a in appeals]
        events = db.session.scalars(
            select(AppealEvent).where(AppealEvent.appeal_id.in_(ids)).order_by(AppealEvent.appeal_id, AppealEvent.seq)
        ).all()
        heads = _signed_heads(ids)
        by_appeal = {}
        for event in events:
            by_appeal.setdefault(event.appeal_id, []).append(event)
        for appeal in appeals:
            chain = by_appeal.get(appeal.id, [])
            report.problems += check_chain(appeal.number, appeal.status, chain, heads.get(appeal.id), key)
            report.events += len(chain)
        report.appeals += len(appeals)
        last_id = appeals[-1].id
        db.session.expunge_all()
