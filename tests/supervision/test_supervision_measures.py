"""Each measure on a constructed set of appeals, the right answer worked out by hand."""
from datetime import timedelta

import pytest

from kernel.db import db
from kernel.vocabulary import Status
from models import AppealClock, UnitAssignment
from sla.service import current_rule_set
from supervision.bulletin import month_bounds
from supervision.measures import measures
from tests.sla.helpers import local, make_appeal

NOW = local(2026, 12, 10, 12)
RECEIVED = local(2026, 11, 10, 8)
DUE = local(2026, 11, 17, 23, 59, 59)
FR_DUE = local(2026, 11, 11, 23, 59, 59)


def _appeal(world, unit, *, status, closed_h=None, responded=None, fr_due=FR_DUE, due=DUE, rating=None,
            solved=None, reopens=0, extended=False, received=RECEIVED, assignments=(), urgency="normal"):
    appeal = make_appeal(world, received_at=received, status=status, urgency=urgency)
    appeal.lead_unit = world.units[unit]
    appeal.first_response_at = responded
    if closed_h is not None:
        appeal.closed_at = received + timedelta(hours=closed_h)
    db.session.add(AppealClock(appeal=appeal, rule_set=current_rule_set(world.city.id), started_at=received,
                               open=status != Status.closed, completion_due=due, first_response_due=fr_due,
                               rating=rating, solved=solved, reopens=reopens, extended=extended,
                               followed_up_at=NOW if rating else None))
    for name, ended_by in assignments or [(unit, None)]:
        db.session.add(UnitAssignment(appeal_id=appeal.id, city_id=world.city.id, unit_id=world.units[name].id,
                                      started_at=received, ended_by=ended_by))
    return appeal


@pytest.fixture
def cohort(world):
    a, b = "市工信局", "市市场监管局"
    on_time, late = local(2026, 11, 11, 9), local(2026, 11, 12, 9)
    # 市工信局: a1 closed on time, satisfied; a2 closed late, unsolved + dissatisfied, reopened;
    # a3 open and overdue, extended, never contacted; a4 open, not yet due, contacted on time.
    _appeal(world, a, status=Status.closed, closed_h=10, responded=on_time, rating="satisfied", solved=True)
    _appeal(world, a, status=Status.closed, closed_h=30, responded=late, due=local(2026, 11, 11, 12),
            rating="dissatisfied", solved=False, reopens=1)
    _appeal(world, a, status=Status.accepted, extended=True)
    _appeal(world, a, status=Status.accepted, responded=on_time, due=local(2026, 12, 20, 23, 59, 59))
    # 市市场监管局: b1 returned by 市工信局 first, then closed on time, solved, fairly satisfied;
    # b2 a consultation (no first-response limit) closed on time, not followed up.
    _appeal(world, b, status=Status.closed, closed_h=20, responded=on_time, rating="fairly_satisfied", solved=True,
            assignments=[(a, "return"), (b, None)])
    _appeal(world, b, status=Status.closed, closed_h=40, fr_due=None, urgency="consult")
    # Received in October: outside the period.
    _appeal(world, a, status=Status.closed, closed_h=1, received=local(2026, 10, 31, 23), rating="dissatisfied",
            solved=False)
    db.session.flush()
    return month_bounds("2026-11")


def test_measures_per_unit_and_city(world, cohort):
    result = measures(world.city.id, *cohort, now=NOW)
    units = {row["unit"]: row for row in result["units"]}
    a, b, city = units["市工信局"], units["市市场监管局"], result["city"]

    assert (a["appeals"], a["response_rate"], a["resolution_rate"], a["satisfaction_rate"]) == (4, 0.5, 0.5, 0.5)
    assert (a["on_time_rate"], a["reopen_rate"], a["extension_rate"]) == (0.3333, 0.5, 0.25)
    assert (a["assignments"], a["returned"], a["return_rate"]) == (5, 1, 0.2)
    assert a["median_handling_hours"] == 20.0 and a["open_overdue"] == 1

    assert (b["appeals"], b["response_base"], b["response_rate"], b["resolution_rate"]) == (2, 1, 1.0, 1.0)
    assert (b["satisfaction_rate"], b["on_time_rate"], b["reopen_rate"], b["extension_rate"]) == (1.0, 1.0, 0.0, 0.0)
    assert (b["return_rate"], b["median_handling_hours"]) == (0.0, 30.0)

    assert (city["appeals"], city["response_rate"], city["resolution_rate"], city["satisfaction_rate"]) == (
        6, 0.6, 0.6667, 0.6667)
    assert (city["on_time_rate"], city["reopen_rate"], city["extension_rate"], city["return_rate"]) == (
        0.6, 0.3333, 0.1667, 0.1429)
    assert city["median_handling_hours"] == 25.0


def test_fairly_satisfied_weight_is_configurable(world, cohort):
    result = measures(world.city.id, *cohort, now=NOW, fairly_weight=0.5)
    units = {row["unit"]: row for row in result["units"]}
    assert units["市市场监管局"]["satisfaction_rate"] == 0.5
    assert result["city"]["satisfaction_rate"] == 0.5  # (1 + 0.5) / 3


def test_an_empty_period_has_no_rates(world, cohort):
    result = measures(world.city.id, *month_bounds("2026-09"), now=NOW)
    assert result["units"] == [] and result["city"]["appeals"] == 0
    assert all(result["city"][k] is None for k in ("response_rate", "on_time_rate", "median_handling_hours"))


def test_response_rate_waits_for_the_first_response_deadline(world):
    """An unanswered appeal due in 1 h 43 min is not a miss yet: 0 appeals counted, no rate."""
    now = local(2026, 11, 20, 10)
    received = local(2026, 11, 20, 8)
    _appeal(world, "市工信局", status=Status.dispatched, received=received,
            fr_due=now + timedelta(hours=1, minutes=43), due=local(2026, 11, 27, 23, 59, 59))
    db.session.flush()
    row = measures(world.city.id, *month_bounds("2026-11"), now=now)["city"]
    assert (row["response_base"], row["response_rate"]) == (0, None)
    # Once the deadline passes unanswered, it counts as a miss.
    row = measures(world.city.id, *month_bounds("2026-11"), now=now + timedelta(hours=2))["city"]
    assert (row["response_base"], row["response_rate"]) == (1, 0.0)
