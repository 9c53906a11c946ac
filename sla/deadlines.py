"""Deadlines, extensions and status colours. Pure: the clock and the calendar are parameters.

All datetimes are naive China local time; aware inputs are converted by ``to_local``.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .calendar import END_OF_DAY, WorkCalendar, to_local
from .rules import Limit, RuleError, UrgencyRule


class ExtensionError(ValueError):
    """An extension request that the rules do not allow; the message is for the user."""


@dataclass(frozen=True)
class Deadlines:
    accept_due: datetime
    first_response_due: datetime | None  # None when the urgency has no first-response limit
    completion_due: datetime


def due(start: datetime, limit: Limit, calendar: WorkCalendar) -> datetime:
    """Deadline of ``limit`` counted from ``start``: calendar time runs 24x7, working days
    start counting on the next working day and end at 23:59:59 of the last one."""
    start = to_local(start)
    if limit.working_days:
        return calendar.add_working_days(start, limit.amount)
    minutes = limit.amount * (60 if limit.unit == "hours" else 1)
    return start + timedelta(minutes=minutes)


def deadlines_for(urgency: str, dispatched_at: datetime, rules, calendar: WorkCalendar) -> Deadlines:
    """The unit's deadlines from a dispatch (or re-dispatch, or reopen: each starts a new clock)."""
    if urgency not in rules:
        raise RuleError(f"未知的紧急程度 {urgency!r}，应为 {'、'.join(rules)} 之一")
    rule = rules[urgency]
    return Deadlines(
        accept_due=due(dispatched_at, rule.accept, calendar),
        first_response_due=(
            None if rule.first_response is None else due(dispatched_at, rule.first_response, calendar)
        ),
        completion_due=due(dispatched_at, rule.completion, calendar),
    )


def check_extension(
    rule: UrgencyRule,
    *,
    started_at: datetime,
    current_due: datetime,
    new_due: date | datetime,
    asked_at: datetime,
    reason: str,
    granted_before: int,
    calendar: WorkCalendar,
    by_supervision: bool = False,
) -> datetime:
    """Validate an extension request and return the new completion deadline.

    ``new_due`` may be a date: it means the end of that day, as do all working-day deadlines.
    ``started_at`` is the start of the unit's clock (dispatch, re-dispatch or reopen);
    ``granted_before`` counts extensions already granted on this clock. ``by_supervision``
    says the supervision office itself grants it (required where the rule says so)."""
    started_at, current_due, asked_at = map(to_local, (started_at, current_due, asked_at))
    limit = rule.completion
    if isinstance(new_due, datetime):
        new_due = to_local(new_due)
        if limit.working_days:
            new_due = datetime.combine(new_due.date(), END_OF_DAY)
    else:
        new_due = datetime.combine(new_due, END_OF_DAY)
    if not reason or not reason.strip():
        raise ExtensionError("申请延期须说明理由")
    if asked_at > current_due:
        raise ExtensionError("办理时限已过，不能再申请延期")
    if rule.extension_needs_supervision and not by_supervision:
        raise ExtensionError("该类诉求只能由督查室批准延期")
    if rule.extension_once is not None and granted_before >= 1:
        raise ExtensionError("该类诉求只能延期一次，已延期过")
    if new_due <= current_due:
        raise ExtensionError("新的办结时限须晚于当前时限")
    if limit.working_days and not calendar.is_working_day(new_due):
        raise ExtensionError(f"新的办结时限 {new_due:%Y-%m-%d} 不是工作日")
    if rule.extension_once is not None and _longer(current_due, new_due, rule.extension_once, calendar):
        raise ExtensionError(f"单次延期不得超过{rule.extension_once}")
    cap = rule.extension_cap_total
    if cap is not None and _longer(started_at, new_due, cap, calendar):
        raise ExtensionError(f"延期后办理总时限不得超过{cap}")
    return new_due


def _longer(start: datetime, end: datetime, limit: Limit, calendar: WorkCalendar) -> bool:
    if limit.working_days:
        return calendar.working_days_between(start, end) > limit.amount
    return end > due(start, limit, calendar)


def colour(
    started_at: datetime,
    due_at: datetime,
    now: datetime,
    done: bool,
    limit: Limit,
    calendar: WorkCalendar,
) -> str:
    """'green', 'yellow' or 'red' for a clock that started at ``started_at``.

    Red: past ``due_at`` and not done; done is green. Yellow: 2/3 of the limit has elapsed,
    or, on a working-day limit of 3 or more working days, at most 1 working day is left after
    today. ``limit`` gives the clock (working days or calendar time); the limit's length is
    taken from ``started_at`` to ``due_at``, so an extended deadline counts in full.
    Elapsed working time counts each working day after the start day as 24 hours."""
    started_at, due_at, now = map(to_local, (started_at, due_at, now))
    if done:
        return "green"
    if now > due_at:
        return "red"
    if not limit.working_days:
        return "yellow" if (now - started_at) * 3 >= (due_at - started_at) * 2 else "green"
    total = calendar.working_days_between(started_at, due_at)
    if _working_time(started_at, now, calendar) * 3 >= timedelta(days=total) * 2:
        return "yellow"
    if total >= 3 and calendar.working_days_between(now, due_at) <= 1:
        return "yellow"
    return "green"


def _working_time(start: datetime, now: datetime, calendar: WorkCalendar) -> timedelta:
    """Working time from the end of the start day to ``now``, a working day being 24 hours."""
    today = now.date()
    if today <= start.date():
        return timedelta(0)
    full_days = calendar.working_days_between(start, today - timedelta(days=1))
    elapsed = timedelta(days=full_days)
    if calendar.is_working_day(today):
        elapsed += now - datetime.combine(today, time())
    return elapsed
