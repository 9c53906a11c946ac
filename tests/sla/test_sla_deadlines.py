import dataclasses
from datetime import UTC, date, datetime

import pytest

from sla.calendar import WorkCalendar
from sla.deadlines import Deadlines, ExtensionError, check_extension, deadlines_for, due
from sla.rules import DEFAULT_RULES, Limit, RuleError, rules_from_dict, rules_to_dict

CAL = WorkCalendar()


def eod(y, m, d):
    return datetime(y, m, d, 23, 59, 59)


@pytest.mark.parametrize("urgency, accept, first_response, completion", [
    ("emergency", datetime(2025, 9, 26, 10, 30), datetime(2025, 9, 26, 12), datetime(2025, 9, 27, 10)),
    ("urgent", datetime(2025, 9, 26, 11), datetime(2025, 9, 26, 12), datetime(2025, 9, 27, 10)),
    ("normal", eod(2025, 9, 28), eod(2025, 9, 28), eod(2025, 10, 10)),
    ("consult", eod(2025, 9, 28), None, eod(2025, 9, 29)),
    ("complex", eod(2025, 9, 28), eod(2025, 9, 28), eod(2025, 10, 23)),
])
def test_every_urgency_national_day_2025(urgency, accept, first_response, completion):
    assert deadlines_for(urgency, datetime(2025, 9, 26, 10), DEFAULT_RULES, CAL) == Deadlines(
        accept, first_response, completion)


@pytest.mark.parametrize("urgency, accept, first_response, completion", [
    ("emergency", datetime(2026, 2, 13, 16, 30), datetime(2026, 2, 13, 18), datetime(2026, 2, 14, 16)),
    ("urgent", datetime(2026, 2, 13, 17), datetime(2026, 2, 13, 18), datetime(2026, 2, 14, 16)),
    ("normal", eod(2026, 2, 14), eod(2026, 2, 14), eod(2026, 2, 27)),
    ("consult", eod(2026, 2, 14), None, eod(2026, 2, 24)),
    ("complex", eod(2026, 2, 14), eod(2026, 2, 14), eod(2026, 3, 12)),
])
def test_every_urgency_spring_festival_2026(urgency, accept, first_response, completion):
    assert deadlines_for(urgency, datetime(2026, 2, 13, 16), DEFAULT_RULES, CAL) == Deadlines(
        accept, first_response, completion)


def test_calendar_hours_run_through_midnight_weekends_and_holidays():
    # emergency dispatched the night before National Day
    assert deadlines_for("emergency", datetime(2025, 9, 30, 23, 30), DEFAULT_RULES, CAL) == Deadlines(
        datetime(2025, 10, 1, 0, 0), datetime(2025, 10, 1, 1, 30), datetime(2025, 10, 1, 23, 30))
    # urgent dispatched on a Saturday night
    assert deadlines_for("urgent", datetime(2025, 11, 1, 22), DEFAULT_RULES, CAL) == Deadlines(
        datetime(2025, 11, 1, 23), datetime(2025, 11, 2, 0), datetime(2025, 11, 2, 22))


def test_dispatch_limit_from_intake():
    assert due(datetime(2025, 9, 30, 18), DEFAULT_RULES["normal"].dispatch, CAL) == datetime(2025, 10, 1, 18)
    emergency = DEFAULT_RULES["emergency"].dispatch
    assert due(datetime(2025, 9, 30, 23, 30), emergency, CAL) == datetime(2025, 10, 1, 0, 30)


def test_aware_start_is_converted_and_result_is_naive_local():
    start = datetime(2025, 9, 26, 2, tzinfo=UTC)  # 10:00 in China
    assert due(start, Limit(30, "minutes"), CAL) == datetime(2025, 9, 26, 10, 30)
    assert due(start, Limit(5, "working_days"), CAL) == eod(2025, 10, 10)


def test_city_calendar_is_used():
    city = WorkCalendar({date(2025, 10, 9): False})
    deadlines = deadlines_for("normal", datetime(2025, 9, 26, 10), DEFAULT_RULES, city)
    assert deadlines.completion_due == eod(2025, 10, 11)


def test_unknown_urgency():
    with pytest.raises(RuleError, match="未知的紧急程度"):
        deadlines_for("whenever", datetime(2025, 9, 26, 10), DEFAULT_RULES, CAL)


def test_return_and_redispatch_start_a_new_clock():
    first = deadlines_for("normal", datetime(2025, 9, 26, 10), DEFAULT_RULES, CAL)
    # returned by the unit on 09-29, re-dispatched to another unit on 09-30
    second = deadlines_for("normal", datetime(2025, 9, 30, 9), DEFAULT_RULES, CAL)
    assert first.completion_due == eod(2025, 10, 10)
    assert second == Deadlines(eod(2025, 10, 9), eod(2025, 10, 9), eod(2025, 10, 14))


def test_reopen_starts_a_new_clock_under_the_rules_in_force_at_dispatch():
    old = rules_to_dict(DEFAULT_RULES)
    old["normal"]["completion"] = {"amount": 3, "unit": "working_days"}
    version_at_dispatch = rules_from_dict(old)
    reopened = deadlines_for("normal", datetime(2026, 2, 13, 16), version_at_dispatch, CAL)
    assert reopened.completion_due == eod(2026, 2, 25)  # 02-14, 02-24, 02-25


def extend(urgency, current_due, new_due, *, started_at=datetime(2025, 9, 26, 10),
           asked_at=datetime(2025, 10, 9, 10), reason="需现场核查", granted_before=0,
           rule=None, **kwargs):
    return check_extension(
        rule or DEFAULT_RULES[urgency], started_at=started_at, current_due=current_due,
        new_due=new_due, asked_at=asked_at, reason=reason, granted_before=granted_before,
        calendar=CAL, **kwargs)


NORMAL_DUE = eod(2025, 10, 10)


def test_normal_extension_up_to_five_working_days():
    # 10-11 (make-up Saturday), 10-13, 10-14, 10-15, 10-16
    assert extend("normal", NORMAL_DUE, date(2025, 10, 16)) == eod(2025, 10, 16)
    assert extend("normal", NORMAL_DUE, datetime(2025, 10, 16, 9)) == eod(2025, 10, 16)
    with pytest.raises(ExtensionError, match="单次延期不得超过5个工作日"):
        extend("normal", NORMAL_DUE, date(2025, 10, 17))


@pytest.mark.parametrize("kwargs, message", [
    ({"granted_before": 1}, "只能延期一次"),
    ({"asked_at": datetime(2025, 10, 11, 0, 0)}, "办理时限已过"),
    ({"reason": "  "}, "须说明理由"),
    ({"new_due": date(2025, 10, 10)}, "须晚于当前时限"),
    ({"new_due": date(2025, 10, 12)}, "不是工作日"),
])
def test_normal_extension_refusals(kwargs, message):
    kwargs.setdefault("new_due", date(2025, 10, 14))
    with pytest.raises(ExtensionError, match=message):
        extend("normal", NORMAL_DUE, **kwargs)


def test_extension_may_be_asked_up_to_the_deadline():
    assert extend("normal", NORMAL_DUE, date(2025, 10, 14), asked_at=NORMAL_DUE) == eod(2025, 10, 14)


def test_total_cap():
    capped = dataclasses.replace(DEFAULT_RULES["normal"], extension_cap_total=Limit(8, "working_days"))
    # 10-14 is the 8th working day after 09-26; 10-15 the 9th
    assert extend("normal", NORMAL_DUE, date(2025, 10, 14), rule=capped) == eod(2025, 10, 14)
    with pytest.raises(ExtensionError, match="总时限不得超过8个工作日"):
        extend("normal", NORMAL_DUE, date(2025, 10, 15), rule=capped)


def test_complex_extends_repeatedly_up_to_thirty_working_days():
    complex_due = eod(2025, 10, 23)
    assert extend("complex", complex_due, date(2025, 10, 30)) == eod(2025, 10, 30)
    assert extend("complex", eod(2025, 10, 30), date(2025, 11, 13), granted_before=1,
                  asked_at=datetime(2025, 10, 29)) == eod(2025, 11, 13)
    with pytest.raises(ExtensionError, match="总时限不得超过30个工作日"):
        extend("complex", eod(2025, 10, 30), date(2025, 11, 14), granted_before=1,
               asked_at=datetime(2025, 10, 29))


def test_consult_extends_once_by_one_working_day():
    consult_due = eod(2025, 9, 29)
    asked = datetime(2025, 9, 29, 9)
    assert extend("consult", consult_due, date(2025, 9, 30), asked_at=asked) == eod(2025, 9, 30)
    with pytest.raises(ExtensionError, match="单次延期不得超过1个工作日"):
        extend("consult", consult_due, date(2025, 10, 9), asked_at=asked)


def test_urgent_extends_once_by_at_most_a_day():
    urgent_due = datetime(2025, 9, 27, 10)
    asked = datetime(2025, 9, 27, 8)
    new_due = datetime(2025, 9, 28, 10)
    assert extend("urgent", urgent_due, new_due, asked_at=asked) == new_due
    assert extend("urgent", urgent_due, date(2025, 9, 27), asked_at=asked) == eod(2025, 9, 27)
    with pytest.raises(ExtensionError, match="单次延期不得超过24小时"):
        extend("urgent", urgent_due, datetime(2025, 9, 28, 10, 1), asked_at=asked)
    with pytest.raises(ExtensionError, match="只能延期一次"):
        extend("urgent", urgent_due, datetime(2025, 9, 28, 10), asked_at=asked, granted_before=1)


def test_emergency_extension_only_by_the_supervision_office():
    emergency_due = datetime(2025, 9, 27, 10)
    asked = datetime(2025, 9, 27, 8)
    with pytest.raises(ExtensionError, match="只能由督查室批准延期"):
        extend("emergency", emergency_due, datetime(2025, 9, 27, 20), asked_at=asked)
    assert extend("emergency", emergency_due, datetime(2025, 9, 29, 20), asked_at=asked,
                  granted_before=2, by_supervision=True) == datetime(2025, 9, 29, 20)
