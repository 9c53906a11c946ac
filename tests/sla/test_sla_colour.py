from datetime import datetime, timedelta

import pytest
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st

from sla.calendar import WorkCalendar
from sla.deadlines import colour, deadlines_for, due
from sla.rules import DEFAULT_RULES, Limit

CAL = WorkCalendar()
WD = "working_days"


def eod(y, m, d):
    return datetime(y, m, d, 23, 59, 59)


@pytest.mark.parametrize("now, expected", [
    (datetime(2025, 9, 26, 10), "green"),
    (datetime(2025, 9, 27, 1, 59), "green"),
    (datetime(2025, 9, 27, 2), "yellow"),   # 16 of 24 hours
    (datetime(2025, 9, 27, 10), "yellow"),  # at the deadline, not past it
    (datetime(2025, 9, 27, 10, 0, 1), "red"),
])
def test_calendar_hour_limit(now, expected):
    start = datetime(2025, 9, 26, 10)
    assert colour(start, start + timedelta(hours=24), now, False, Limit(24, "hours"), CAL) == expected


# normal, dispatched Fri 2025-09-26: working days 09-28, 09-29, 09-30, 10-09, 10-10
@pytest.mark.parametrize("now, expected", [
    (datetime(2025, 9, 30, 20), "green"),
    (datetime(2025, 10, 7, 12), "green"),   # holidays do not use up working time
    (datetime(2025, 10, 8, 23, 59), "green"),
    (datetime(2025, 10, 9, 0, 0), "yellow"),  # 1 working day left after today
    (eod(2025, 10, 10), "yellow"),
    (datetime(2025, 10, 11, 0, 0), "red"),
])
def test_five_working_days_across_national_day(now, expected):
    start = datetime(2025, 9, 26, 10)
    assert colour(start, eod(2025, 10, 10), now, False, Limit(5, WD), CAL) == expected


# complex, dispatched 2025-09-26, due 10-23; the 10th working day is 10-16
@pytest.mark.parametrize("now, expected", [
    (datetime(2025, 10, 16, 23), "green"),
    (datetime(2025, 10, 17, 0, 0), "yellow"),  # 10 of 15 working days elapsed
])
def test_two_thirds_of_fifteen_working_days(now, expected):
    start = datetime(2025, 9, 26, 10)
    assert colour(start, eod(2025, 10, 23), now, False, Limit(15, WD), CAL) == expected


# 3 WD from Mon 2025-11-03: 11-04, 11-05, 11-06
@pytest.mark.parametrize("now, expected", [
    (datetime(2025, 11, 4, 23, 59), "green"),
    (datetime(2025, 11, 5, 0, 0), "yellow"),  # only 1/3 elapsed, but 1 working day left after today
])
def test_one_working_day_left_on_a_three_day_limit(now, expected):
    start = datetime(2025, 11, 3, 10)
    assert colour(start, eod(2025, 11, 6), now, False, Limit(3, WD), CAL) == expected


# consult, 2 WD from Mon 2025-11-03: 11-04, 11-05; the 1-day-left rule does not apply under 3 WD
@pytest.mark.parametrize("now, expected", [
    (datetime(2025, 11, 4, 10), "green"),
    (datetime(2025, 11, 5, 7, 59), "green"),
    (datetime(2025, 11, 5, 8, 0), "yellow"),  # 4/3 of 2 working days
])
def test_two_working_day_limit(now, expected):
    start = datetime(2025, 11, 3, 10)
    assert colour(start, eod(2025, 11, 5), now, False, Limit(2, WD), CAL) == expected


def test_one_working_day_accept_limit_over_spring_festival_2025():
    start = datetime(2025, 1, 27, 18)  # accept due 02-05, after the holiday
    due_at = eod(2025, 2, 5)
    assert colour(start, due_at, datetime(2025, 2, 3, 12), False, Limit(1, WD), CAL) == "green"
    assert colour(start, due_at, datetime(2025, 2, 5, 15, 59), False, Limit(1, WD), CAL) == "green"
    assert colour(start, due_at, datetime(2025, 2, 5, 16), False, Limit(1, WD), CAL) == "yellow"


def test_done_is_never_red():
    start = datetime(2025, 9, 26, 10)
    assert colour(start, eod(2025, 10, 10), datetime(2025, 10, 20), True, Limit(5, WD), CAL) == "green"


def test_extension_counts_in_full_and_pending_extension_does_not_stop_the_clock():
    start = datetime(2025, 9, 26, 10)
    limit = Limit(5, WD)
    # pending: the current deadline still applies
    assert colour(start, eod(2025, 10, 10), datetime(2025, 10, 11, 9), False, limit, CAL) == "red"
    # approved to 10-16 (10 WD in all): green on the old due day; 2/3 is 10-13 16:00
    # (6 working days to 10-11, the make-up Saturday, plus 2/3 of 10-13)
    extended = eod(2025, 10, 16)
    assert colour(start, extended, datetime(2025, 10, 10, 12), False, limit, CAL) == "green"
    assert colour(start, extended, datetime(2025, 10, 13, 15, 59), False, limit, CAL) == "green"
    assert colour(start, extended, datetime(2025, 10, 13, 16), False, limit, CAL) == "yellow"


@freeze_time("2030-01-01")
def test_colour_reads_only_the_given_clock():
    rule = DEFAULT_RULES["normal"]
    start = datetime(2026, 2, 13, 16)
    due_at = deadlines_for("normal", start, DEFAULT_RULES, CAL).completion_due  # 02-27

    def at(now):
        return colour(start, due_at, now, False, rule.completion, CAL)

    assert (at(datetime(2026, 2, 20)), at(datetime(2026, 2, 26, 9)), at(datetime(2026, 2, 28))) == (
        "green", "yellow", "red")


RANK = {"green": 0, "yellow": 1, "red": 2}


@settings(max_examples=100, deadline=None)
@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 9, 30)),
       st.sampled_from([Limit(30, "minutes"), Limit(24, "hours"), Limit(1, WD), Limit(3, WD), Limit(15, WD)]),
       st.lists(st.integers(min_value=0, max_value=40 * 24 * 60), min_size=2, max_size=20))
def test_colour_only_moves_forward(start, limit, offsets):
    due_at = due(start, limit, CAL)
    times = [start + timedelta(minutes=m) for m in sorted(offsets)]
    ranks = [RANK[colour(start, due_at, now, False, limit, CAL)] for now in times]
    assert ranks == sorted(ranks)
    assert colour(start, due_at, start, False, limit, CAL) == "green"
