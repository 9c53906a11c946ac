"""SLA: working-day calendar, time-limit rules per urgency, deadlines and status colours.

Pure functions: rules, the city's calendar and the clock are passed in; nothing here reads
the database or the wall clock.

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

Returns and reopen: a return stops the unit's clock; a re-dispatch or a reopen starts a new
one, i.e. call ``deadlines_for`` again with its time and the rule set in force at the first
dispatch. The CLI ``flask sla due`` is::

    rule = rules[urgency]
    print(due(to_local(datetime.fromisoformat(start)), rule_limit(rule, limit_name),
              WorkCalendar(city_overrides)))
"""
from .calendar import CHINA_TZ, CalendarError, WorkCalendar, to_local
from .deadlines import Deadlines, ExtensionError, check_extension, colour, deadlines_for, due
from .rules import (
    DEFAULT_RULES, URGENCIES, Limit, RuleError, UrgencyRule, rule_limit, rules_from_dict, rules_to_dict,
)

__all__ = [
    "CHINA_TZ", "CalendarError", "WorkCalendar", "to_local",
    "Deadlines", "ExtensionError", "check_extension", "colour", "deadlines_for", "due",
    "DEFAULT_RULES", "URGENCIES", "Limit", "RuleError", "UrgencyRule", "rule_limit",
    "rules_from_dict", "rules_to_dict",
]
