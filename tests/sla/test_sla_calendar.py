from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla.calendar import CalendarError, WorkCalendar, to_local

CAL = WorkCalendar()
EOD = (23, 59, 59)


def test_issue_example_national_day_2025():
    # Fri 09-26 +5 WD: 09-28 (make-up Sunday), 09-29, 09-30, 10-09, 10-10
    assert CAL.add_working_days(datetime(2025, 9, 26, 10, 0), 5) == datetime(2025, 10, 10, *EOD)
    assert CAL.working_days_between(date(2025, 9, 26), date(2025, 10, 10)) == 5


@pytest.mark.parametrize("day, working", [
    (date(2025, 1, 26), True),   # Sunday make-up day
    (date(2025, 1, 27), True),
    (date(2025, 1, 28), False),  # Spring Festival 2025: 01-28 .. 02-04
    (date(2025, 1, 31), False),
    (date(2025, 2, 4), False),
    (date(2025, 2, 5), True),
    (date(2025, 2, 8), True),    # Saturday make-up day
    (date(2025, 2, 9), False),
    (date(2025, 9, 28), True),   # Sunday make-up day before National Day
    (date(2025, 10, 8), False),
    (date(2025, 10, 11), True),  # Saturday make-up day
    (date(2026, 2, 14), True),   # Saturday make-up day before Spring Festival 2026
    (date(2026, 2, 15), False),  # Spring Festival 2026: 02-15 .. 02-23
    (date(2026, 2, 23), False),  # Monday off
    (date(2026, 2, 24), True),
    (date(2026, 2, 28), True),   # Saturday make-up day
    (date(2026, 9, 20), True),   # Sunday make-up day before National Day 2026
    (date(2026, 9, 25), False),  # Mid-Autumn 2026 (Friday)
    (date(2026, 10, 1), False),  # National Day 2026: 10-01 .. 10-07
    (date(2026, 10, 7), False),
    (date(2026, 10, 8), True),
    (date(2026, 10, 10), True),  # Saturday make-up day
])
def test_holidays_and_make_up_days(day, working):
    assert CAL.is_working_day(day) is working


@pytest.mark.parametrize("start, n, expected", [
    # Spring Festival 2025
    (datetime(2025, 1, 24, 9), 1, date(2025, 1, 26)),
    (datetime(2025, 1, 24, 9), 3, date(2025, 2, 5)),
    (datetime(2025, 1, 27, 18), 1, date(2025, 2, 5)),
    (datetime(2025, 2, 5, 9), 5, date(2025, 2, 11)),   # 02-06, 02-07, 02-08 (Sat), 02-10, 02-11
    # Spring Festival 2026
    (datetime(2026, 2, 13, 16), 1, date(2026, 2, 14)),
    (datetime(2026, 2, 13, 16), 2, date(2026, 2, 24)),
    (datetime(2026, 2, 13, 16), 5, date(2026, 2, 27)),
    (datetime(2026, 2, 13, 16), 6, date(2026, 2, 28)),
    # National Day 2026 (with Mid-Autumn on 09-25)
    (datetime(2026, 9, 18, 9), 1, date(2026, 9, 20)),
    (datetime(2026, 9, 24, 9), 5, date(2026, 10, 9)),  # 09-28, 09-29, 09-30, 10-08, 10-09
    (datetime(2026, 9, 30, 9), 5, date(2026, 10, 13)),  # 10-08, 10-09, 10-10 (Sat), 10-12, 10-13
    # counting starts on the next working day, whatever the start time or day
    (datetime(2025, 11, 3, 23, 59), 1, date(2025, 11, 4)),
    (datetime(2025, 11, 3, 0, 0), 1, date(2025, 11, 4)),
    (datetime(2025, 11, 1, 10), 1, date(2025, 11, 3)),  # Saturday start
])
def test_add_working_days(start, n, expected):
    assert CAL.add_working_days(start, n) == datetime.combine(expected, time(*EOD))


def test_working_days_between_is_zero_unless_b_after_a():
    assert CAL.working_days_between(date(2025, 10, 10), date(2025, 10, 10)) == 0
    assert CAL.working_days_between(date(2025, 10, 10), date(2025, 9, 26)) == 0
    assert CAL.working_days_between(datetime(2025, 1, 27, 23), datetime(2025, 2, 5, 1)) == 1


def test_city_overrides_win():
    city = WorkCalendar({date(2025, 10, 9): False, date(2025, 10, 4): True})
    assert not city.is_working_day(date(2025, 10, 9))
    assert city.is_working_day(date(2025, 10, 4))
    # 09-28, 09-29, 09-30, 10-04 (city working Saturday), 10-10
    assert city.add_working_days(datetime(2025, 9, 26, 10), 5) == datetime(2025, 10, 10, *EOD)
    assert WorkCalendar({date(2025, 10, 9): False}).add_working_days(
        datetime(2025, 9, 26, 10), 5) == datetime(2025, 10, 11, *EOD)


@pytest.mark.parametrize("overrides", [
    {datetime(2025, 10, 9): False},
    {"2025-10-09": False},
    {date(2025, 10, 9): 0},
])
def test_malformed_overrides_rejected(overrides):
    with pytest.raises(ValueError, match="本市日历设置"):
        WorkCalendar(overrides)


def test_year_outside_calendar_is_an_error():
    with pytest.raises(CalendarError, match="2027 年"):
        CAL.is_working_day(date(2027, 1, 4))
    with pytest.raises(CalendarError, match="2003 年"):
        CAL.is_working_day(date(2003, 6, 2))
    # running past the known years fails loudly instead of guessing
    with pytest.raises(CalendarError):
        CAL.add_working_days(datetime(2026, 12, 30, 10), 5)


def test_city_override_covers_a_date_outside_the_calendar():
    assert WorkCalendar({date(2027, 1, 4): True}).is_working_day(date(2027, 1, 4))


def test_aware_datetimes_are_converted_to_china_time():
    utc = UTC
    assert to_local(datetime(2025, 9, 28, 16, 30, tzinfo=utc)) == datetime(2025, 9, 29, 0, 30)
    assert to_local(datetime(2025, 9, 29, 0, 30)) == datetime(2025, 9, 29, 0, 30)
    # 2025-09-28 16:30 UTC is Monday 09-29 00:30 in China, so 1 WD ends on 09-30
    assert CAL.add_working_days(datetime(2025, 9, 28, 16, 30, tzinfo=utc), 1) == datetime(2025, 9, 30, *EOD)


def test_non_positive_working_days_rejected():
    with pytest.raises(ValueError):
        CAL.add_working_days(datetime(2025, 9, 26), 0)


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 10, 31)),
       st.integers(min_value=1, max_value=30))
def test_add_working_days_lands_on_the_nth_working_day(start, n):
    end = CAL.add_working_days(start, n)
    assert CAL.is_working_day(end)
    assert CAL.working_days_between(start, end) == n
    assert CAL.working_days_between(start, end - timedelta(days=1)) == n - 1
