"""The clock of stored appeals: rule sets and calendars from the database, deadlines at
dispatch, return, close and reopen, and the derived colour every page and API shows.

Stored datetimes are aware UTC; the pure functions of this package work in naive China local
time, so values cross with ``_local`` and ``_utc``.
"""
from datetime import UTC, datetime, timedelta

from sqlalchemy import null, select, union_all

from events.log import record
from kernel.db import batch_read, db
from kernel.vocabulary import Status
from models import Appeal
from models.base import utcnow
from models.sla import AppealClock, CalendarDay, CalendarYear, SlaRuleSet, UnitAssignment
from sla.calendar import CHINA_TZ, CalendarError, WorkCalendar, to_local
from sla.deadlines import colour, deadlines_for, due
from sla.rules import DEFAULT_RULES, Limit, rules_from_dict, rules_to_dict

LABELS = {"green": "正常", "yellow": "临期", "red": "超期", "pending": "时限待定",
          "done": "已办结", "stopped": "已退单，计时停止", "none": "未派单", "accept_late": "签收超期"}
PENDING_REASON = "日历尚无该年节假日安排，时限待定；导入该年安排后自动计算"


def _local(value: datetime) -> datetime:
    return to_local(value)


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=CHINA_TZ).astimezone(UTC)


# --- rules and calendars -------------------------------------------------------------------

def current_rule_set(city_id: int) -> SlaRuleSet:
    """The city's newest rule set; version 1 (the defaults) is created on first use.

    Read without autoflush (rule sets are written with an explicit flush), so that a dispatch
    writes the appeal, its clock and its assignment in one flush; once per batch of jobs."""
    rule_set = batch_read(("sla_rule_set", city_id), lambda: _newest_rule_set(city_id))
    if rule_set is None:
        rule_set = SlaRuleSet(city_id=city_id, version=1, rules=rules_to_dict(DEFAULT_RULES))
        db.session.add(rule_set)
        db.session.flush()
    return rule_set


def _newest_rule_set(city_id: int) -> SlaRuleSet | None:
    with db.session.no_autoflush:
        return db.session.scalar(
            select(SlaRuleSet).where(SlaRuleSet.city_id == city_id).order_by(SlaRuleSet.version.desc()).limit(1)
        )


def replace_rules(city_id: int, data: dict, user) -> SlaRuleSet:
    """A new version of the city's rules (validated; RuleError for the admin)."""
    rules = rules_from_dict(data)
    version = current_rule_set(city_id).version + 1
    rule_set = SlaRuleSet(city_id=city_id, version=version, rules=rules_to_dict(rules),
                          created_by_id=user.id if user else None)
    db.session.add(rule_set)
    db.session.flush()
    return rule_set


_calendars: dict[int | None, tuple[tuple, WorkCalendar]] = {}


def city_calendar(city_id: int | None) -> WorkCalendar:
    """The city's calendar from the database: its overrides, the national days and the loaded years,
    read in one query without autoflush, like ``current_rule_set`` (sla.notices flushes what it writes);
    once per batch of jobs.

    The calendar built from them is kept per city, keyed by the rows themselves: any change of a
    day or a year is a new key, so it is never stale, and the kept calendar remembers the days it
    has answered (each dispatch's yellow-moment search asks about the same weeks)."""
    return batch_read(("sla_calendar", city_id), lambda: _city_calendar(city_id))


def _city_calendar(city_id: int | None) -> WorkCalendar:
    days = (select(CalendarDay.city_id, CalendarDay.day, CalendarDay.working, null().label("year"))
            .where((CalendarDay.city_id == city_id) | CalendarDay.city_id.is_(None)))
    with db.session.no_autoflush:
        rows = tuple(db.session.execute(union_all(days, select(null(), null(), null(), CalendarYear.year))))
    cached = _calendars.get(city_id)
    if cached is not None and cached[0] == rows:
        return cached[1]
    calendar = WorkCalendar(
        overrides={day: working for cid, day, working, year in rows if cid is not None},
        national={day: working for cid, day, working, year in rows if cid is None and year is None},
        national_years=[year for *_, year in rows if year is not None],
    )
    _calendars[city_id] = (rows, calendar)
    return calendar


# --- the clock -----------------------------------------------------------------------------

def _completion_limit(clock: AppealClock) -> Limit:
    return rules_from_dict(clock.rule_set.rules)[clock.appeal.urgency].completion


def yellow_from(started: datetime, due_at: datetime, limit: Limit, calendar: WorkCalendar) -> datetime:
    """First minute (local) at which the clock is yellow; colours only move forward in time."""
    lo, hi = started, due_at
    while hi - lo > timedelta(minutes=1):
        mid = lo + (hi - lo) / 2
        if colour(started, due_at, mid, False, limit, calendar) == "green":
            lo = mid
        else:
            hi = mid
    minute = hi.replace(second=0, microsecond=0)  # boundaries fall on whole minutes
    if colour(started, due_at, minute, False, limit, calendar) != "green":
        return minute
    return minute + timedelta(minutes=1)


def set_completion_due(clock: AppealClock, due_local: datetime, calendar: WorkCalendar) -> None:
    """Store a completion deadline and what derives from it (yellow moment, supervision day)."""
    started = _local(clock.started_at)
    clock.completion_due = _utc(due_local)
    clock.yellow_at = _utc(yellow_from(started, due_local, _completion_limit(clock), calendar))
    try:
        clock.supervise_at = _utc(calendar.add_working_days(due_local, 1))
    except CalendarError:
        clock.supervise_at = None  # computed when the next year's notice is loaded


def compute(clock: AppealClock, calendar: WorkCalendar | None = None) -> bool:
    """(Re)compute the dues of the current clock; False and pending when the calendar lacks a year."""
    calendar = calendar or city_calendar(clock.appeal.city_id)
    rules = rules_from_dict(clock.rule_set.rules)
    try:
        deadlines = deadlines_for(clock.appeal.urgency, clock.started_at, rules, calendar)
        clock.accept_due = _utc(deadlines.accept_due)
        clock.first_response_due = _utc(deadlines.first_response_due)
        set_completion_due(clock, deadlines.completion_due, calendar)
    except CalendarError:
        clock.pending = True
        clock.accept_due = clock.first_response_due = clock.completion_due = None
        clock.yellow_at = clock.supervise_at = None
        return False
    clock.pending = False
    return True


def start_clock(appeal: Appeal, *, reopen: bool = False) -> AppealClock:
    """A new unit clock from now: at dispatch, re-dispatch and reopen. The rule set is the one
    in force at the appeal's first dispatch."""
    now = utcnow()
    clock = appeal.clock
    first = clock is None
    if first:
        clock = AppealClock(appeal=appeal, rule_set=current_rule_set(appeal.city_id))
        db.session.add(clock)
    clock.started_at = now
    clock.open = True
    clock.last_colour = "green"
    clock.supervision_opened = clock.accept_late = False
    clock.extensions_granted = 0
    clock.extension_due = clock.extension_reason = clock.extension_asked_at = None
    if reopen:
        clock.reopens = (clock.reopens or 0) + 1
    else:
        if not first:  # a first dispatch has no unit assignment to end
            _end_assignment(appeal.id, "reassign", now)
        db.session.add(UnitAssignment(appeal_id=appeal.id, city_id=appeal.city_id,
                                      unit_id=appeal.lead_unit_id or appeal.lead_unit.id, started_at=now))
    if not compute(clock):
        record(appeal, "sla_pending", None, from_status=appeal.status, reason=PENDING_REASON)
    return clock


def stop_clock(appeal: Appeal, *, returned: bool = False) -> None:
    """A return or close stops the unit's clock."""
    clock = appeal.clock
    if clock is None:
        return
    clock.open = False
    if returned:
        clock.returns = (clock.returns or 0) + 1
        _end_assignment(appeal.id, "return", utcnow())


def _end_assignment(appeal_id: int, how: str, now: datetime) -> None:
    current = db.session.scalar(
        select(UnitAssignment).where(UnitAssignment.appeal_id == appeal_id, UnitAssignment.ended_at.is_(None))
    )
    if current is not None:
        current.ended_at, current.ended_by = now, how


def recompute_pending(city_id: int | None = None) -> int:
    """After a year's notice is loaded: compute every pending deadline the calendar now covers."""
    stale = (
        AppealClock.open.is_(True),
        AppealClock.pending.is_(True) | (AppealClock.completion_due.isnot(None) & AppealClock.supervise_at.is_(None)),
    )
    query = select(AppealClock.appeal_id).where(*stale)
    if city_id is not None:
        query = query.join(Appeal).where(Appeal.city_id == city_id)
    done = 0
    for appeal_id in db.session.scalars(query.order_by(AppealClock.appeal_id)).all():
        # The appeal row first, then its clock, checked again under the lock: the event log's lock order.
        db.session.get(Appeal, appeal_id, with_for_update=True, populate_existing=True)
        clock = db.session.scalar(select(AppealClock).where(AppealClock.appeal_id == appeal_id, *stale)
                                  .with_for_update().execution_options(populate_existing=True))
        if clock is None:
            continue
        calendar = city_calendar(clock.appeal.city_id)
        if clock.pending:
            if compute(clock, calendar):
                done += 1
                record(clock.appeal, "sla_pending", None, from_status=clock.appeal.status,
                       reason="节假日安排已导入，时限已计算", data={"completion_due": clock.completion_due.isoformat()})
        else:
            set_completion_due(clock, _local(clock.completion_due), calendar)
    return done


def change_urgency(appeal: Appeal) -> dict:
    """After the appeal's urgency changed: the current unit clock's dues recomputed from its start
    under the new urgency (an extension granted before is replaced by them), and the colour guard
    reset to the colour under the new deadline. Returns the new dues for the event."""
    clock = appeal.clock
    if clock is None or not clock.open:
        return {}
    calendar = city_calendar(appeal.city_id)
    clock.extension_due = clock.extension_reason = clock.extension_asked_at = None
    if compute(clock, calendar):
        clock.last_colour = appeal_clock(appeal, calendar=calendar)["colour"] or "green"
    return {name: value.isoformat() if value else None for name, value in (
        ("accept_due", clock.accept_due), ("first_response_due", clock.first_response_due),
        ("completion_due", clock.completion_due))}


# --- the dispatch queue's own time limit ----------------------------------------------------

DISPATCH_LABELS = {"green": "待派", "yellow": "派单临期", "red": "派单超时"}


def rules_in_force(city_id: int) -> dict:
    """The city's newest rules, read only (the defaults when it has none yet)."""
    with db.session.no_autoflush:
        data = db.session.scalar(select(SlaRuleSet.rules).where(SlaRuleSet.city_id == city_id)
                                 .order_by(SlaRuleSet.version.desc()).limit(1))
    return rules_from_dict(data) if data is not None else dict(DEFAULT_RULES)


def dispatch_clock(appeal: Appeal, now: datetime | None = None, rules: dict | None = None,
                   calendar: WorkCalendar | None = None) -> dict:
    """An appeal waiting in the dispatch queue (manual dispatch or returned) has the `dispatch`
    limit of its urgency, counted from when it entered the queue: {"due", "colour", "label_zh"};
    all None for an appeal that is not waiting."""
    if appeal.status not in (Status.manual, Status.returned) or appeal.queued_at is None:
        return {"due": None, "colour": None, "label_zh": None}
    rules = rules or rules_in_force(appeal.city_id)
    calendar = calendar or city_calendar(appeal.city_id)
    limit = rules[appeal.urgency].dispatch
    now = now or utcnow()
    try:
        due_local = due(appeal.queued_at, limit, calendar)
        value = colour(appeal.queued_at, due_local, now, False, limit, calendar)
    except CalendarError:
        return {"due": None, "colour": None, "label_zh": LABELS["pending"]}
    return {"due": _utc(due_local), "colour": value, "label_zh": DISPATCH_LABELS[value]}


def appeal_clock(appeal: Appeal, now: datetime | None = None, calendar: WorkCalendar | None = None) -> dict:
    """{"due": aware UTC completion deadline or None, "colour": green|yellow|red|None,
    "label_zh": text for a deadline column}. Derived from the deadline and the clock."""
    clock = appeal.clock
    if clock is None:
        return {"due": None, "colour": None, "label_zh": LABELS["none"]}
    if appeal.status == Status.closed:
        return {"due": clock.completion_due, "colour": "green", "label_zh": LABELS["done"]}
    if not clock.open:
        return {"due": None, "colour": None, "label_zh": LABELS["stopped"]}
    if clock.pending:
        return {"due": None, "colour": None, "label_zh": LABELS["pending"]}
    now = now or utcnow()
    if appeal.status == Status.dispatched and clock.accept_due and now > clock.accept_due:
        return {"due": clock.completion_due, "colour": "red", "label_zh": LABELS["accept_late"]}
    value = completion_colour(clock, now, calendar or city_calendar(appeal.city_id))
    return {"due": clock.completion_due, "colour": value, "label_zh": LABELS[value]}


def completion_colour(clock: AppealClock, now: datetime, calendar: WorkCalendar) -> str:
    """green, yellow or red against the completion deadline alone (the scan's ``last_colour``)."""
    try:
        return colour(clock.started_at, clock.completion_due, now, False, _completion_limit(clock), calendar)
    except CalendarError:
        return "red" if now > clock.completion_due else "green"


def deadlines_view(appeal: Appeal, now: datetime | None = None) -> dict:
    """The deadline fields of the appeal API (workflow.views)."""
    clock = appeal.clock
    view = appeal_clock(appeal, now)
    waiting = dispatch_clock(appeal, now)
    return {
        "sla": {
            "colour": view["colour"],
            "label": view["label_zh"],
            "pending": bool(clock and clock.pending),
            "rule_version": clock.rule_set.version if clock else None,
            "started_at": clock.started_at if clock else None,
            "accept_due": clock.accept_due if clock else None,
            "first_response_due": clock.first_response_due if clock else None,
            "completion_due": clock.completion_due if clock else None,
            "extension_requested_due": clock.extension_due if clock else None,
            "extensions_granted": clock.extensions_granted if clock else 0,
            "dispatch_due": waiting["due"],
            "dispatch_colour": waiting["colour"],
        }
    }


def due_for(city_id: int | None, urgency: str, start: datetime, limit_name: str) -> datetime:
    """The CLI's check of the calendar arithmetic: deadline (local) of one limit from ``start``."""
    from sla.rules import rule_limit

    rules = rules_from_dict(current_rule_set(city_id).rules) if city_id else dict(DEFAULT_RULES)
    if urgency not in rules:
        raise ValueError(f"未知的紧急程度 {urgency!r}")
    return due(start, rule_limit(rules[urgency], limit_name), city_calendar(city_id))
