"""Follow-up reopens once, then escalates; extensions asked by the unit, decided by the office."""
from datetime import date

import pytest
from freezegun import freeze_time

from kernel.db import db
from kernel.vocabulary import Status
from models import AppealEvent, SupervisionOrder
from sla.deadlines import ExtensionError
from sla.extensions import decide, request_extension
from supervision.followup import FollowUpError, record_follow_up
from tests.sla.helpers import dispatched, local
from workflow.transitions import perform


@pytest.fixture
def handler(world):
    return world.user("handler", unit="市工信局")[0]


def _close(appeal, handler, at):
    with freeze_time(at):
        if appeal.status == Status.dispatched:
            perform(appeal, "accept", handler)
        perform(appeal, "reply", handler, reason="已协调解决")
        perform(appeal, "close", handler)


def _actions(appeal):
    return [e.action for e in db.session.query(AppealEvent).filter_by(appeal_id=appeal.id).order_by(AppealEvent.seq)]


def test_unsolved_reopens_once_with_a_new_clock_then_goes_to_supervision(world, handler):
    operator = world.user("operator")[0]
    appeal = dispatched(world, local(2026, 11, 23, 9))
    with pytest.raises(FollowUpError, match="尚未办结"):
        record_follow_up(appeal, True, "satisfied", operator, "phone")
    _close(appeal, handler, local(2026, 11, 24, 9))
    with freeze_time(local(2026, 11, 25, 10)):
        record_follow_up(appeal, False, "fairly_satisfied", operator, "phone")
    assert appeal.status == Status.dispatched and appeal.closed_at is None
    assert appeal.clock.reopens == 1 and appeal.clock.open is True
    assert appeal.clock.completion_due == local(2026, 12, 2, 23, 59, 59)  # 5 working days from the reopen
    assert _actions(appeal)[-2:] == ["follow_up", "reopen"]

    _close(appeal, handler, local(2026, 11, 26, 9))
    with freeze_time(local(2026, 11, 27, 10)):
        record_follow_up(appeal, True, "dissatisfied", None, "web")
        with pytest.raises(FollowUpError, match="已回访"):
            record_follow_up(appeal, True, "satisfied", None, "web")
    assert appeal.status == Status.closed
    assert _actions(appeal)[-2:] == ["follow_up", "supervision_open"]
    assert db.session.query(SupervisionOrder).filter_by(appeal_id=appeal.id, kind="follow_up").count() == 1
    assert (appeal.clock.solved, appeal.clock.rating) == (True, "dissatisfied")


def test_solved_and_satisfied_closes_the_matter(world, handler):
    appeal = dispatched(world, local(2026, 11, 23, 9))
    _close(appeal, handler, local(2026, 11, 24, 9))
    record_follow_up(appeal, True, "fairly_satisfied", None, "miniprogram")
    assert appeal.status == Status.closed and appeal.clock.reopens == 0
    with pytest.raises(FollowUpError, match="满意度"):
        record_follow_up(appeal, True, "ok", None, "phone")


def test_extension_is_asked_before_the_deadline_and_approved_by_the_office(world, handler):
    office = world.user("supervisor")[0]
    appeal = dispatched(world, local(2026, 11, 23, 9))  # due Mon 30 Nov
    with freeze_time(local(2026, 11, 27, 9)):
        with pytest.raises(ExtensionError, match="单次延期不得超过5个工作日"):
            request_extension(appeal, handler, date(2026, 12, 8), "需现场核查")
        with pytest.raises(ExtensionError, match="理由"):
            request_extension(appeal, handler, date(2026, 12, 7), " ")
        request_extension(appeal, handler, date(2026, 12, 7), "需现场核查")
        with pytest.raises(ExtensionError, match="待审批"):
            request_extension(appeal, handler, date(2026, 12, 4), "需现场核查")
    assert appeal.clock.completion_due == local(2026, 11, 30, 23, 59, 59)  # the clock runs meanwhile
    with freeze_time(local(2026, 12, 1, 9)):  # approved after the old deadline: asked in time
        decide(appeal, office, True, "同意")
    assert appeal.clock.completion_due == local(2026, 12, 7, 23, 59, 59) and appeal.clock.extended is True
    assert appeal.clock.extension_due is None and appeal.clock.last_colour == "green"  # 5.4 of 10 days
    with freeze_time(local(2026, 12, 2, 9)), pytest.raises(ExtensionError, match="只能延期一次"):
        request_extension(appeal, handler, date(2026, 12, 8), "再延")
    assert _actions(appeal)[-2:] == ["extension_request", "extension_approve"]


def test_refused_extension_keeps_the_deadline(world, handler):
    office = world.user("supervisor")[0]
    appeal = dispatched(world, local(2026, 11, 23, 9))
    with freeze_time(local(2026, 12, 1, 9)), pytest.raises(ExtensionError, match="时限已过"):
        request_extension(appeal, handler, date(2026, 12, 4), "来不及")
    with freeze_time(local(2026, 11, 26, 9)):
        request_extension(appeal, handler, date(2026, 12, 4), "需要协调")
        decide(appeal, office, False, "理由不充分")
    assert appeal.clock.completion_due == local(2026, 11, 30, 23, 59, 59) and appeal.clock.extended is False
    with pytest.raises(ExtensionError, match="没有待审批"):
        decide(appeal, office, True, None)
