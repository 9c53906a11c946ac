"""SLA: working-day calendar, time-limit rules per urgency, deadlines and status colours.

``calendar``, ``rules`` and ``deadlines`` are pure functions: rules, the city's calendar and the
clock are passed in; they never read the database or the wall clock (``service`` does).

Time convention: every datetime is naive China local time (北京时间, UTC+8). Aware datetimes
given to any function are converted with ``to_local``; results are naive local time. Convert
stored UTC values with ``to_local`` and results back with ``.replace(tzinfo=CHINA_TZ)``.

- ``calendar``: ``WorkCalendar(overrides)`` (chinese_calendar plus per-city overrides,
  True = working day, False = day off), ``is_working_day``, ``add_working_days``,
  ``working_days_between``; ``CalendarError`` for a date outside the calendar's years.
- ``rules``: ``Limit(amount, unit)``, ``UrgencyRule``, ``DEFAULT_RULES`` (urgency code ->
  rule), ``rule_limit``, ``rules_to_dict`` / ``rules_from_dict`` (JSON form of a rule set,
  validated; ``RuleError`` messages are in Chinese).
- ``deadlines``: ``due(start, limit, calendar)``, ``deadlines_for(urgency, dispatched_at,
  rules, calendar)``, ``check_extension(...)`` (``ExtensionError``), ``colour(...)``.

Working-day limits start counting on the next working day after the start and end at
23:59:59 of the N-th working day; minute and hour limits run 24x7.

Returns and reopen: a return stops the unit's clock (its colour: pass ``done=True``); a
re-dispatch or a reopen starts a new one, i.e. call ``deadlines_for`` again with its time and
the rule set in force at the first dispatch.

Extensions: ``check_extension`` validates a request (reason, asked before the deadline, the
rule's single-extension length and total cap, a working day for working-day clocks) and
returns the new completion deadline; the supervision office then approves or refuses, and
until it approves ``colour`` is computed on the current deadline. Where
``extension_needs_supervision`` is set (emergency) only the office itself may extend.

Colours: red when past due and not done; yellow when 2/3 of the limit has elapsed (working
time for working-day limits, where holidays do not count) or, on limits of 3 working days or
more, when at most 1 working day is left after today; green otherwise and when done.

With the database (docs/sla.md):

- ``service``: versioned rule sets per city, the calendar from the database (loaded national
  notices, city overrides), each appeal's clock (``start_clock`` at dispatch and reopen,
  ``stop_clock`` at return and close, pending deadlines for unknown years) and
  ``appeal_clock(appeal, now)``, the derived colour every page shows.
- ``colours``: the open appeals of one colour as a query (``by_colour``) or a filter (``in_colour``),
  for the overdue lists and every appeal list's colour filter.
- ``extensions``: the unit's request and the supervision office's decision.
- ``notices``: loading a year's holiday notice, city overrides.
- ``schemas`` (rule set, calendar override, extension request: the API's and the pages'), ``api``
  and ``cli`` (``flask sla due``, ``flask sla calendar load``; ``flask sla scan`` is supervision's).
"""
from .calendar import CHINA_TZ, CalendarError, WorkCalendar, to_local
from .deadlines import Deadlines, ExtensionError, check_extension, colour, deadlines_for, due
from .rules import (
    DEFAULT_RULES,
    URGENCIES,
    Limit,
    RuleError,
    UrgencyRule,
    rule_limit,
    rules_from_dict,
    rules_to_dict,
)

__all__ = [
    "CHINA_TZ", "CalendarError", "WorkCalendar", "to_local",
    "Deadlines", "ExtensionError", "check_extension", "colour", "deadlines_for", "due",
    "DEFAULT_RULES", "URGENCIES", "Limit", "RuleError", "UrgencyRule", "rule_limit",
    "rules_from_dict", "rules_to_dict",
]


def init_app(app) -> None:
    """The rules and calendar API and the `sla` commands."""
    from kernel.http import api as rest
    from sla import api, cli

    rest.register_blueprint(api.blp)
    app.cli.add_command(cli.sla)
