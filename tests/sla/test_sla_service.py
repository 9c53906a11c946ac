"""Deadlines stored on appeals: dispatch, return, re-dispatch, close, rule versions, pending years."""
from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time

from kernel.db import db
from models import AppealEvent, UnitAssignment
from sla import service
from sla.notices import NoticeError, load_notice
from sla.rules import DEFAULT_RULES, rules_to_dict
from tests.sla.helpers import dispatched, local
from workflow.transitions import dispatch, perform


def _actions(appeal):
    return [e.action for e in db.session.query(AppealEvent).filter_by(appeal_id=appeal.id).order_by(AppealEvent.seq)]


def test_dispatch_stores_deadlines_across_national_day(world):
    # Wed 30 Sep 2026, 10:00: 1-7 Oct are off, 10 Oct (Sat) is a make-up working day.
    appeal = dispatched(world, local(2026, 9, 30, 10))
    clock = appeal.clock
    assert clock.completion_due == local(2026, 10, 13, 23, 59, 59)
    assert clock.accept_due == local(2026, 10, 8, 23, 59, 59)
    assert clock.first_response_due == local(2026, 10, 8, 23, 59, 59)
    assert clock.supervise_at == local(2026, 10, 14, 23, 59, 59)
    assert clock.rule_set.version == 1 and clock.pending is False
    # 2/3 of 5 working days, or one working day left (12 Oct counts from 00:00 on the 12th).
    assert clock.yellow_at == local(2026, 10, 12, 0, 0)
    # Not accepted by 8 Oct: red (签收超期) until the unit accepts.
    assert service.appeal_clock(appeal, local(2026, 10, 8, 23, 59))["colour"] == "green"
    assert service.appeal_clock(appeal, local(2026, 10, 9, 0, 1))["label_zh"] == "签收超期"
    appeal.status = "accepted"
    assert service.appeal_clock(appeal, local(2026, 10, 11, 23))["colour"] == "green"
    assert service.appeal_clock(appeal, local(2026, 10, 12, 0, 1)) == {
        "due": clock.completion_due, "colour": "yellow", "label_zh": "临期"}
    assert service.appeal_clock(appeal, local(2026, 10, 14, 0, 0, 1))["label_zh"] == "超期"


def test_emergency_runs_on_the_clock_over_a_holiday(world):
    appeal = dispatched(world, local(2026, 2, 16, 20), urgency="emergency")  # 除夕 2026
    assert appeal.clock.completion_due == local(2026, 2, 17, 20)
    assert appeal.clock.accept_due == local(2026, 2, 16, 20, 30)
    assert appeal.clock.yellow_at == local(2026, 2, 17, 12)


def test_return_stops_the_clock_and_redispatch_starts_a_new_one(world):
    appeal = dispatched(world, local(2026, 11, 23, 9))
    handler = world.user("handler", unit="市工信局")[0]
    with freeze_time(local(2026, 11, 24, 9)):
        perform(appeal, "accept", handler)
        perform(appeal, "return", handler, reason="不属本单位职责")
    assert appeal.clock.open is False and appeal.clock.returns == 1
    assert service.appeal_clock(appeal) == {"due": None, "colour": None, "label_zh": "已退单，计时停止"}
    with freeze_time(local(2026, 11, 26, 15)):
        dispatch(appeal, world.units["市市场监管局"], [], None)
    assert appeal.clock.open is True
    assert appeal.clock.completion_due == local(2026, 12, 3, 23, 59, 59)
    assignments = db.session.query(UnitAssignment).filter_by(appeal_id=appeal.id).order_by(UnitAssignment.id).all()
    assert [(a.unit_id, a.ended_by) for a in assignments] == [
        (world.units["市工信局"].id, "return"), (world.units["市市场监管局"].id, None)]


def test_appeal_keeps_the_rule_version_of_its_first_dispatch(world):
    admin = world.user("admin")[0]
    first = dispatched(world, local(2026, 11, 23, 9))
    rules = rules_to_dict(DEFAULT_RULES)
    rules["normal"]["completion"] = {"amount": 3, "unit": "working_days"}
    assert service.replace_rules(world.city.id, rules, admin).version == 2
    second = dispatched(world, local(2026, 11, 23, 9))
    assert first.clock.completion_due == local(2026, 11, 30, 23, 59, 59)
    assert second.clock.completion_due == local(2026, 11, 26, 23, 59, 59)
    with freeze_time(local(2026, 11, 25, 9)):  # re-dispatch: the first appeal stays on version 1
        dispatch(first, world.units["市人社局"], [], None)
    assert first.clock.rule_set.version == 1 and first.clock.completion_due == local(2026, 12, 2, 23, 59, 59)


def test_city_override_moves_the_deadline(world):
    from sla.notices import set_override

    set_override(world.city.id, datetime(2026, 11, 25).date(), False, "本市停电放假")
    appeal = dispatched(world, local(2026, 11, 23, 9))
    assert appeal.clock.completion_due == local(2026, 12, 1, 23, 59, 59)


def test_unknown_year_leaves_the_deadline_pending_until_the_notice_is_loaded(world):
    late = dispatched(world, local(2026, 12, 28, 10))  # 5 working days run into 2027
    near = dispatched(world, local(2026, 12, 24, 10))  # due 31 Dec; supervision day in 2027
    assert late.clock.pending is True and late.clock.completion_due is None
    assert _actions(late)[-2:] == ["sla_pending", "assign"]
    assert service.appeal_clock(late) == {"due": None, "colour": None, "label_zh": "时限待定"}
    assert near.clock.completion_due == local(2026, 12, 31, 23, 59, 59) and near.clock.supervise_at is None

    result = load_notice({"year": 2027, "source": "测试用安排", "days_off": ["2027-01-01", "2027-01-04"],
                          "working_days": ["2027-01-09"]})
    assert result == {"year": 2027, "days_off": 2, "working_days": 1, "recomputed": 1}
    # 29, 30, 31 Dec; 1 Jan off, 2-3 weekend, 4 Jan off (test notice), 5 Jan: the 5th working day is 6 Jan.
    assert late.clock.pending is False and late.clock.completion_due == local(2027, 1, 6, 23, 59, 59)
    assert near.clock.supervise_at == local(2027, 1, 5, 23, 59, 59)
    assert _actions(late)[-1] == "sla_pending"
    # Fri 8 Jan: the make-up Saturday 9 Jan counts, so the 5th working day is Thu 14 Jan.
    assert service.due_for(None, "normal", datetime(2027, 1, 8, 9), "completion") == datetime(2027, 1, 14, 23, 59, 59)


def test_kept_calendar_follows_every_change_of_the_days_and_years(world):
    from sla.calendar import CalendarError
    from sla.notices import delete_override, set_override

    city, wednesday = world.city.id, date(2026, 11, 25)
    assert service.city_calendar(city) is service.city_calendar(city)  # kept while nothing changed
    assert service.city_calendar(city).is_working_day(wednesday)
    set_override(city, wednesday, False, "本市停电放假")
    assert not service.city_calendar(city).is_working_day(wednesday)
    set_override(city, wednesday, True, "照常上班")  # the same row, changed in place
    assert service.city_calendar(city).is_working_day(wednesday)
    set_override(city, wednesday, False)
    delete_override(city, wednesday)
    assert service.city_calendar(city).is_working_day(wednesday)
    with pytest.raises(CalendarError):
        service.city_calendar(city).is_working_day(date(2027, 1, 4))
    load_notice({"year": 2027, "days_off": ["2027-01-01", "2027-01-04"]})
    assert not service.city_calendar(city).is_working_day(date(2027, 1, 4))
    assert service.city_calendar(city).is_working_day(date(2027, 1, 5))


@pytest.mark.parametrize("notice, message", [
    ({"year": 2027, "days_off": ["2028-01-01"]}, "不属于 2027 年"),
    ({"year": 2027, "days_off": ["2027-01-01"], "working_days": ["2027-01-01"]}, "既是休息日又是工作日"),
    ({"year": 2027, "days_off": []}, "不能为空"),
    ({"year": "2027", "days_off": ["2027-01-01"]}, "整数年份"),
    ({"year": 2027, "days_off": ["1 Jan"]}, "YYYY-MM-DD"),
])
def test_malformed_notices_are_refused(world, notice, message):
    with pytest.raises(NoticeError, match=message):
        load_notice(notice)


def test_stored_times_are_utc(world):
    appeal = dispatched(world, local(2026, 11, 23, 9))
    assert appeal.clock.started_at == datetime(2026, 11, 23, 1, tzinfo=UTC)
