"""The periodic SLA scan (jobs.periodic): appeals turning yellow or red get one event each,
an appeal not accepted (签收) by its acceptance deadline gets one, and one working day after red
a supervision order is opened.

Candidates are found by columns stored with each deadline (``accept_due``, ``yellow_at``,
``completion_due``, ``supervise_at``); each appeal and its clock are then locked (SELECT ... FOR
UPDATE) and checked again against ``accept_late`` / ``last_colour`` / ``supervision_opened``, so
concurrent scans never record twice.
"""
from datetime import datetime

from sqlalchemy import select

from events.log import record
from jobs.registry import register
from kernel.db import db
from kernel.vocabulary import Status
from models import Appeal, AppealClock
from models.base import utcnow
from supervision.orders import open_order

BATCH = 500
OVERDUE_REASON = "超过办结时限一个工作日仍未办结，自动督办"


def _candidates(now: datetime) -> dict[str, list[int]]:
    running = (AppealClock.open.is_(True), AppealClock.pending.is_(False))
    ids = lambda *where: db.session.scalars(  # noqa: E731
        select(AppealClock.appeal_id).where(*running, *where).order_by(AppealClock.appeal_id)
    ).all()
    return {
        "red": ids(AppealClock.last_colour != "red", AppealClock.completion_due < now),
        "yellow": ids(AppealClock.last_colour == "green", AppealClock.yellow_at <= now,
                      AppealClock.completion_due >= now),
        "supervise": ids(AppealClock.supervision_opened.is_(False), AppealClock.supervise_at <= now),
        "accept_late": ids(AppealClock.accept_late.is_(False), AppealClock.accept_due < now,
                           AppealClock.appeal_id.in_(select(Appeal.id).where(Appeal.status == Status.dispatched))),
    }


def _apply(kind: str, clock: AppealClock, now: datetime) -> bool:
    """The step for one locked clock, if it still applies; True when something was recorded."""
    if not clock.open or clock.pending:
        return False
    appeal = clock.appeal
    due = {"completion_due": clock.completion_due.isoformat(), "unit": appeal.lead_unit.name}
    if kind == "red" and clock.last_colour != "red" and clock.completion_due < now:
        clock.last_colour = "red"
        record(appeal, "sla_red", None, from_status=appeal.status, reason="已超过办结时限", data=due)
        return True
    if kind == "yellow" and clock.last_colour == "green" and clock.yellow_at <= now <= clock.completion_due:
        clock.last_colour = "yellow"
        record(appeal, "sla_yellow", None, from_status=appeal.status, reason="临近办结时限", data=due)
        return True
    if kind == "accept_late" and not clock.accept_late and appeal.status == Status.dispatched \
            and clock.accept_due < now:
        clock.accept_late = True
        record(appeal, "sla_accept_late", None, from_status=appeal.status, reason="已超过签收时限仍未签收",
               data={"accept_due": clock.accept_due.isoformat(), "unit": appeal.lead_unit.name})
        return True
    if kind == "supervise" and not clock.supervision_opened and clock.supervise_at <= now:
        clock.supervision_opened = True
        open_order(appeal, "overdue", OVERDUE_REASON, None)
        return True
    return False


@register("sla_scan")
def scan(now: datetime | None = None) -> dict[str, int]:
    """One pass; returns how many appeals turned red, yellow, passed their acceptance deadline
    unaccepted, and got a supervision order."""
    now = now or utcnow()
    done = {}
    for kind, ids in _candidates(now).items():
        done[kind] = 0
        for start in range(0, len(ids), BATCH):
            for appeal_id in ids[start:start + BATCH]:
                # The appeal row first, as every workflow action does: its event log is appended to.
                db.session.get(Appeal, appeal_id, with_for_update=True)
                clock = db.session.get(AppealClock, appeal_id, with_for_update=True, populate_existing=True)
                done[kind] += _apply(kind, clock, now)
            db.session.commit()
    return done
