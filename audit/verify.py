"""Verify the per-appeal hash chain of the event log.

Each entry's hash covers its content and the previous entry's hash (workflow.events), so:
an edited entry no longer matches its own hash (altered); an entry replaced wholesale with a
self-consistent forgery no longer matches the next entry's prev_hash (broken link); a deleted
entry leaves a gap in seq (missing), or, if it was the last one, leaves the appeal in a status
the log does not end in (the tail is missing). A removed last entry that did not change the
status (a read of complainant data, say) cannot be seen from the chain alone.
"""
from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from models import Appeal, AppealEvent, City
from workflow.events import GENESIS, event_digest

BATCH = 500
KINDS = {
    "altered": "内容被篡改（哈希不符）",
    "broken_link": "链接断裂（与前一条记录的哈希不符）",
    "missing": "缺失",
    "tail_missing": "日志末尾缺失：诉求当前状态与最后一条记录不符",
    "empty": "没有任何办理记录",
}


@dataclass(frozen=True)
class Problem:
    number: str
    seq: int | None
    kind: str

    def describe(self) -> str:
        where = f"第 {self.seq} 条记录" if self.seq is not None else "办理记录"
        return f"诉求 {self.number}：{where}{KINDS[self.kind]}"


@dataclass
class Report:
    appeals: int = 0
    events: int = 0
    problems: list[Problem] = field(default_factory=list)


def check_chain(number: str, status: str, events: list[AppealEvent]) -> list[Problem]:
    """The problems of one appeal's log, `events` ordered by seq."""
    if not events:
        return [Problem(number, None, "empty")]
    problems = []
    expected_seq, previous_hash = 1, GENESIS
    for event in events:
        gap = event.seq != expected_seq
        problems += [Problem(number, seq, "missing") for seq in range(expected_seq, event.seq)]
        if event_digest(event) != event.hash:
            problems.append(Problem(number, event.seq, "altered"))
        elif event.prev_hash != previous_hash and not gap:
            # After a gap the link is broken by the missing entry, already reported.
            problems.append(Problem(number, event.seq, "broken_link"))
        expected_seq, previous_hash = event.seq + 1, event.hash
    if events[-1].to_status != status:
        problems.append(Problem(number, events[-1].seq + 1, "tail_missing"))
    return problems


def verify(city: str | None = None, number: str | None = None) -> Report:
    """Check every appeal (of one city, or one appeal), in batches so memory stays flat."""
    query = select(Appeal.id, Appeal.number, Appeal.status).order_by(Appeal.id)
    if city is not None:
        query = query.join(City, Appeal.city_id == City.id).where(City.name == city)
    if number is not None:
        query = query.where(Appeal.number == number)
    report = Report()
    last_id = 0
    while True:
        appeals = db.session.execute(query.where(Appeal.id > last_id).limit(BATCH)).all()
        if not appeals:
            return report
        events = db.session.scalars(
            select(AppealEvent).where(AppealEvent.appeal_id.in_([a.id for a in appeals]))
            .order_by(AppealEvent.appeal_id, AppealEvent.seq)
        ).all()
        by_appeal = {}
        for event in events:
            by_appeal.setdefault(event.appeal_id, []).append(event)
        for appeal in appeals:
            chain = by_appeal.get(appeal.id, [])
            report.problems += check_chain(appeal.number, appeal.status, chain)
            report.events += len(chain)
        report.appeals += len(appeals)
        last_id = appeals[-1].id
        db.session.expunge_all()
