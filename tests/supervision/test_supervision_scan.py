"""The clock moves through yellow and red: exactly one event each and one supervision order."""
from datetime import timedelta

from freezegun import freeze_time

from kernel.db import db
from models import AppealEvent, SupervisionOrder
from supervision.scan import scan
from tests.sla.helpers import dispatched, local


def _count(appeal, action):
    return db.session.query(AppealEvent).filter_by(appeal_id=appeal.id, action=action).count()


def _scan_at(*when):
    with freeze_time(local(*when)):
        return scan()


def _accepted(world, appeal, *when):
    from workflow.transitions import perform

    with freeze_time(local(*when) if when else appeal.clock.started_at):
        perform(appeal, "accept", world.user("handler", unit="市工信局")[0], reason=None)
        db.session.commit()
    return appeal


def test_scan_records_yellow_red_and_one_order(world):
    # Mon 23 Nov 2026 09:00, normal: due Mon 30 Nov 23:59:59; yellow from Fri 27 Nov 00:00
    # (one working day left); supervision one working day after red: end of Tue 1 Dec.
    appeal = _accepted(world, dispatched(world, local(2026, 11, 23, 9)))
    quiet = {"red": 0, "yellow": 0, "supervise": 0, "accept_late": 0}
    assert _scan_at(2026, 11, 26, 23, 59) == quiet
    assert _scan_at(2026, 11, 27, 0, 1) == {"red": 0, "yellow": 1, "supervise": 0, "accept_late": 0}
    assert _scan_at(2026, 11, 27, 9) == quiet
    assert _scan_at(2026, 11, 30, 23, 59) == quiet
    assert _scan_at(2026, 12, 1, 0, 1) == {"red": 1, "yellow": 0, "supervise": 0, "accept_late": 0}
    assert _scan_at(2026, 12, 1, 23, 0) == quiet
    assert _scan_at(2026, 12, 2, 0, 1) == {"red": 0, "yellow": 0, "supervise": 1, "accept_late": 0}
    assert _scan_at(2026, 12, 3, 9) == quiet
    assert (_count(appeal, "sla_yellow"), _count(appeal, "sla_red"), _count(appeal, "supervision_open")) == (1, 1, 1)
    order = db.session.query(SupervisionOrder).one()
    assert (order.appeal_id, order.kind, order.status, order.unit_id) == (
        appeal.id, "overdue", "open", world.units["市工信局"].id)


def test_an_appeal_found_late_goes_straight_to_red(world):
    appeal = dispatched(world, local(2026, 11, 23, 9))
    assert _scan_at(2026, 12, 10, 9) == {"red": 1, "yellow": 0, "supervise": 1, "accept_late": 1}
    assert (_count(appeal, "sla_yellow"), _count(appeal, "sla_red"), _count(appeal, "sla_accept_late")) == (0, 1, 1)


def test_closed_and_pending_appeals_are_left_alone(world):
    from workflow.transitions import perform

    handler = world.user("handler", unit="市工信局")[0]
    closed = dispatched(world, local(2026, 11, 23, 9))
    with freeze_time(local(2026, 11, 24, 9)):
        for action in ("accept", "reply", "close"):
            perform(closed, action, handler, reason="已处理")
    dispatched(world, local(2026, 12, 28, 9))  # pending: 2027 is unknown
    assert _scan_at(2026, 12, 30, 9) == {"red": 0, "yellow": 0, "supervise": 0, "accept_late": 0}


def test_passing_the_acceptance_deadline_is_recorded_once_and_turns_red(world):
    from sla.colours import by_colour
    from sla.service import appeal_clock

    # Mon 23 Nov 2026 09:00, normal: to be accepted within the acceptance limit, long before yellow.
    late = dispatched(world, local(2026, 11, 23, 9))
    in_time = _accepted(world, dispatched(world, local(2026, 11, 23, 9)))
    due = late.clock.accept_due
    with freeze_time(due):
        assert scan()["accept_late"] == 0
    with freeze_time(due + timedelta(minutes=1)):
        assert scan()["accept_late"] == 1
        assert scan()["accept_late"] == 0  # idempotent
        assert appeal_clock(late)["colour"] == "red" and appeal_clock(late)["label_zh"] == "签收超期"
        assert appeal_clock(in_time)["colour"] == "green"
        red = db.session.scalars(by_colour(world.city.id, "red", due + timedelta(minutes=1))).all()
        assert red == [late]
    assert (_count(late, "sla_accept_late"), _count(in_time, "sla_accept_late")) == (1, 0)
    event = db.session.query(AppealEvent).filter_by(appeal_id=late.id, action="sla_accept_late").one()
    assert event.data["unit"] == "市工信局"
    _accepted(world, late, 2026, 11, 25, 9)  # accepted late: the colour follows the completion deadline again
    with freeze_time(local(2026, 11, 25, 10)):
        assert appeal_clock(late)["colour"] == "green"


def test_flask_sla_scan_is_supervisions_command_in_the_sla_group(app, world):
    result = app.test_cli_runner().invoke(args=["sla", "scan"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("变红 0 件，变黄 0 件，新督办单 0 件")
