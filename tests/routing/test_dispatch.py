"""The dispatch job with the router: auto-dispatch, manual dispatch with suggestions, what is recorded."""
import copy
from datetime import timedelta

import pytest
from sqlalchemy import select

from kernel.db import db
from kernel.vocabulary import Status
from models import City, OutboxMessage, Unit
from routing import dispatch as job
from routing.jobs import RETRAIN_JOB
from tests.routing.test_service import WAGES, add_appeal, add_table, fresh_cache, install_model, trained_model  # noqa: F401

CONDUCT = "市人社局的劳动监察大队工作人员故意刁难我们，吃拿卡要，社保登记一直卡着不办。"


def routed(appeal):
    job.dispatch_appeal(appeal.id)
    db.session.commit()
    return appeal, appeal.events[-1]


def retrain_jobs() -> list[list]:
    return list(db.session.scalars(select(OutboxMessage.args).where(OutboxMessage.job == RETRAIN_JOB)))


def test_a_confident_decision_dispatches_and_records_the_routing(world):
    row = install_model(world)
    appeal, event = routed(add_appeal(world))
    assert (appeal.status, appeal.lead_unit.name) == (Status.dispatched, "市人社局")
    assert (event.action, event.actor, event.data["lead_unit"], event.data["model_version"]) == (
        "route", "系统", "市人社局", row.version)
    r = appeal.routing
    assert (r["model_version"], r["auto"], r["reason"], r["duplicate_of"]) == (row.version, True, "auto", None)
    assert r["candidates"][0]["unit"] == "市人社局" and r["candidates"][0]["p"] > 0.5
    assert "欠薪" in r["candidates"][0]["matter"] and r["top_words"]
    assert appeal.division_table_id == row.table_id
    assert retrain_jobs() == []  # the model is current


def test_below_the_threshold_the_appeal_waits_for_a_dispatcher_with_the_suggestions(world):
    install_model(world, trained_model(threshold=0.99))
    appeal, event = routed(add_appeal(world))
    assert (appeal.status, appeal.lead_unit) == (Status.manual, None)
    assert event.action == "to_manual" and event.reason == job.MANUAL_REASONS["below_threshold"]
    assert event.data["candidates"][0]["unit"] == "市人社局"
    assert appeal.routing["auto"] is False and appeal.routing["reason"] == "below_threshold"
    assert appeal.routing["confidence"] < appeal.routing["threshold"] == pytest.approx(0.99)


def test_the_same_text_is_dispatched_at_a_lower_threshold(world):
    install_model(world, trained_model(threshold=0.5))
    assert routed(add_appeal(world))[0].status == Status.dispatched


def test_text_without_routable_content_goes_to_manual_dispatch(world):
    install_model(world)
    appeal, event = routed(add_appeal(world, text="喂喂，嗯嗯，那个"))
    assert appeal.status == Status.manual and event.reason == job.MANUAL_REASONS["no_content"]
    assert appeal.routing["candidates"] == []


def test_a_complaint_about_a_unit_is_not_routed_to_that_unit(world):
    install_model(world, trained_model(threshold=0.0))
    appeal, _ = routed(add_appeal(world, text=CONDUCT))
    assert appeal.lead_unit is None or appeal.lead_unit.name != "市人社局"
    assert "市人社局" not in [c["unit"] for c in appeal.routing["candidates"]]


def test_a_likely_duplicate_goes_to_manual_dispatch_with_the_original_named(world):
    install_model(world)
    original = add_appeal(world, status=Status.accepted)
    appeal, event = routed(add_appeal(world, text=WAGES.replace("三个月", "好几个月")))
    assert appeal.status == Status.manual and original.number in event.reason
    assert appeal.routing["duplicate_of"] == event.data["duplicate_of"] == original.number


def test_a_closed_appeal_of_the_enterprise_is_no_duplicate(world):
    install_model(world)
    add_appeal(world, status=Status.closed)
    assert routed(add_appeal(world))[0].status == Status.dispatched


def test_a_more_urgent_proposal_is_recorded_but_the_operators_urgency_stands(world):
    install_model(world)
    appeal, _ = routed(add_appeal(world, urgency="consult"))
    assert appeal.urgency == "consult"
    assert appeal.routing["urgency"] == "urgent" and appeal.routing["urgency_higher"] is True
    same, _ = routed(add_appeal(world, text=WAGES + "（另一工地）", urgency="emergency",
                                enterprise_name="另一家公司", enterprise_uscc=None))
    assert same.urgency == "emergency" and same.routing["urgency_higher"] is False


@pytest.mark.parametrize("channel", ["miniprogram", "web", "partner"])
def test_where_no_operator_judged_it_the_routers_higher_urgency_applies_and_the_deadline_follows(world, channel):
    install_model(world)
    appeal, event = routed(add_appeal(world, urgency="consult", channel=channel))
    assert appeal.urgency == "urgent" and event.action == "route"
    assert (appeal.routing["urgency_applied"], appeal.routing["submitted_urgency"]) == (True, "consult")
    changed = appeal.events[-2]
    assert (changed.action, changed.actor, changed.data["from"], changed.data["to"], changed.data["source"]) == (
        "set_urgency", "系统", "consult", "urgent", "router")
    assert "咨询" in changed.reason and "加急" in changed.reason
    # the unit's clock runs under the new urgency: urgent is 24 hours from dispatch
    assert appeal.clock.completion_due - appeal.clock.started_at == timedelta(hours=24)
    lower, _ = routed(add_appeal(world, text=WAGES + "（另一工地）", urgency="emergency", channel=channel,
                                 enterprise_name="另一家公司", enterprise_uscc=None))
    assert lower.urgency == "emergency" and "urgency_applied" not in lower.routing


def test_the_routers_life_danger_flag_stays_on_the_appeal_whatever_the_channel(world, monkeypatch):
    install_model(world, trained_model(threshold=0.99))
    record = job.routing_record
    monkeypatch.setattr(job, "routing_record", lambda *args, **kwargs: {**record(*args, **kwargs), "life_danger": True})
    appeal, _ = routed(add_appeal(world))
    assert appeal.life_danger is True and appeal.status == Status.manual and appeal.urgency == "normal"
    monkeypatch.setattr(job, "routing_record", record)  # absent: false
    assert routed(add_appeal(world, text=WAGES + "（另一工地）", enterprise_name="另一家公司",
                             enterprise_uscc=None))[0].life_danger is False


def test_without_a_table_the_appeal_goes_to_manual_dispatch(world):
    appeal, event = routed(add_appeal(world))
    assert appeal.status == Status.manual and event.reason == job.NO_MODEL_REASON
    assert appeal.routing == {"model_version": None, "auto": False, "reason": "no_model"}
    assert retrain_jobs() == []


def test_a_table_without_model_asks_for_one_retrain(world):
    add_table(world)
    for _ in range(2):
        appeal, event = routed(add_appeal(world, text=WAGES + str(_)))
        assert appeal.status == Status.manual and event.reason == job.NO_MODEL_REASON
    assert retrain_jobs() == [[world.city.id, False]]


def test_a_newer_table_than_the_model_asks_for_a_retrain_and_routing_goes_on(world):
    from models import DivisionTable

    row = install_model(world)
    db.session.add(DivisionTable(city=world.city, version=2, source_name="v2.txt", shape="tsv"))
    db.session.commit()
    appeal, _ = routed(add_appeal(world))
    assert appeal.status == Status.dispatched and appeal.division_table_id == row.table_id
    assert retrain_jobs() == [[world.city.id, False]]


def test_an_appeal_already_routed_is_left_alone(world):
    install_model(world)
    appeal, _ = routed(add_appeal(world))
    events = len(appeal.events)
    job.dispatch_appeal(appeal.id)
    db.session.commit()
    assert len(appeal.events) == events


def test_names_resolve_to_units_of_the_appeals_city_only(world):
    other = City(name="乙市", code="YS")
    db.session.add(other)
    twin = Unit(city=other, name="市人社局")
    db.session.add(twin)
    db.session.commit()
    install_model(world)
    appeal, _ = routed(add_appeal(world))
    assert appeal.lead_unit.city_id == world.city.id and appeal.lead_unit.id != twin.id


def test_a_model_trained_on_another_city_never_reaches_that_citys_units(world, model_b):
    other = City(name="乙市", code="YS")
    db.session.add(other)
    foreign = Unit(city=other, name="乙市税务分局")
    db.session.add(foreign)
    db.session.commit()
    model = copy.deepcopy(model_b)
    model.threshold = 0.0  # the model itself would dispatch: only the unit check stops it
    install_model(world, model)
    appeal, event = routed(add_appeal(world, text="出口退税办了三个月还没有到账，税收优惠政策也没落实。"))
    assert appeal.routing["candidates"][0]["unit"] == "乙市税务分局"
    assert (appeal.status, appeal.lead_unit) == (Status.manual, None)
    assert event.reason == job.UNKNOWN_UNIT_REASON.format(name="乙市税务分局")


def test_a_retired_unit_is_not_dispatched_to(world):
    from models.base import utcnow

    install_model(world)
    world.units["市人社局"].retired_at = utcnow()
    db.session.commit()
    appeal, event = routed(add_appeal(world))
    assert appeal.status == Status.manual and event.reason == job.UNKNOWN_UNIT_REASON.format(name="市人社局")


def test_a_router_failure_sends_the_appeal_to_manual_dispatch_and_asks_for_a_new_version(world):
    from types import SimpleNamespace

    install_model(world, SimpleNamespace(units=[], threshold=0.4))  # as if pickled by an older release
    appeal, event = routed(add_appeal(world))
    assert appeal.status == Status.manual and event.reason == job.ERROR_REASON
    assert appeal.routing["reason"] == "router_error"
    assert retrain_jobs() == [[world.city.id, True]]
