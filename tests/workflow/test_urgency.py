"""Urgency the system acts on, the 110/119/120 hand-over (三台联动) and the order of work queues."""
from datetime import timedelta

import pytest
from freezegun import freeze_time

from kernel.db import db
from kernel.vocabulary import Status
from sla.service import dispatch_clock
from tests.sla.helpers import dispatched, local, make_appeal
from workflow.transitions import to_manual
from workflow.views import needs_handover


@pytest.fixture
def people(world):
    return {role: world.user(role)[1] for role in ("operator", "dispatcher", "supervisor", "admin")} | {
        "handler": world.user("handler", unit="市工信局")[1]}


def waiting(world, urgency, at, **kwargs):
    """An appeal put in the manual-dispatch queue at `at`."""
    appeal = make_appeal(world, urgency=urgency, received_at=at, status=Status.received, **kwargs)
    with freeze_time(at):
        to_manual(appeal, "待人工分拨")
    db.session.commit()
    return appeal


def numbers(client, headers, **query):
    answer = client.get("/api/v1/appeals", query_string=query, headers=headers).get_json()
    return [a["number"] for a in answer["items"]], answer["total"]


def test_the_dispatch_queue_heads_with_the_most_urgent_then_the_longest_waiting(client, world, people):
    old_normal = waiting(world, "normal", local(2026, 12, 1, 9))
    consult = waiting(world, "consult", local(2026, 12, 1, 8))
    complex_ = waiting(world, "complex", local(2026, 12, 1, 10))
    emergency = waiting(world, "emergency", local(2026, 12, 1, 11))
    urgent = waiting(world, "urgent", local(2026, 12, 1, 10, 30))
    new_normal = waiting(world, "normal", local(2026, 12, 1, 11, 30))
    order, total = numbers(client, people["dispatcher"], queue="dispatch")
    assert order == [a.number for a in (emergency, urgent, old_normal, complex_, new_normal, consult)]
    assert total == 6
    second_page, _ = numbers(client, people["dispatcher"], queue="dispatch", page=2, page_size=4)
    assert second_page == [new_normal.number, consult.number]
    # life in danger (a hotline operator kept "normal", the router flagged the danger) heads the queue
    danger = waiting(world, "normal", local(2026, 12, 1, 12))
    danger.life_danger = True
    db.session.commit()
    assert numbers(client, people["dispatcher"], queue="dispatch")[0][:2] == [danger.number, emergency.number]


def test_the_unit_queue_is_most_urgent_first_then_longest_waiting(client, world, people):
    normal = dispatched(world, local(2026, 12, 1, 9))
    urgent_late = dispatched(world, local(2026, 12, 2, 9), urgency="urgent")
    urgent_early = dispatched(world, local(2026, 12, 1, 15), urgency="urgent")
    dispatched(world, local(2026, 12, 1, 9), unit="市人社局", urgency="emergency")  # another unit's
    order, total = numbers(client, people["handler"], queue="unit")
    assert order == [urgent_early.number, urgent_late.number, normal.number] and total == 3


def test_a_waiting_appeal_has_a_dispatch_limit_with_its_colour(client, world, people):
    queued = local(2026, 12, 1, 9)
    appeal = waiting(world, "emergency", queued)  # emergency: 1 hour from entering the queue (rule data)
    for minutes, colour in ((10, "green"), (45, "yellow"), (61, "red")):
        clock = dispatch_clock(appeal, now=queued + timedelta(minutes=minutes))
        assert clock["due"] == queued + timedelta(hours=1) and clock["colour"] == colour
    with freeze_time(queued + timedelta(minutes=61)):
        sla = client.get(f"/api/v1/appeals/{appeal.number}", headers=people["dispatcher"]).get_json()["sla"]
    assert sla["dispatch_colour"] == "red" and sla["dispatch_due"].startswith("2026-12-01T02:00:00")
    # a normal appeal waits at most 24 hours; once dispatched it has no dispatch limit any more
    assert dispatch_clock(waiting(world, "normal", queued), now=queued)["due"] == queued + timedelta(hours=24)
    assert dispatch_clock(dispatched(world, queued))["due"] is None


def test_a_return_puts_the_appeal_back_in_the_queue_with_a_new_dispatch_limit(client, world, people):
    appeal = dispatched(world, local(2026, 12, 1, 9))
    returned_at = local(2026, 12, 2, 10)
    with freeze_time(returned_at):
        client.post(f"/api/v1/appeals/{appeal.number}/return", json={"reason": "不属于本单位"}, headers=people["handler"])
    assert appeal.queued_at == returned_at
    assert dispatch_clock(appeal, now=returned_at)["due"] == returned_at + timedelta(hours=24)


def test_a_dispatcher_raises_the_urgency_with_a_reason_and_the_deadlines_follow(client, world, people):
    start = local(2026, 12, 1, 9)
    appeal = dispatched(world, start)
    normal_due = appeal.clock.completion_due
    with freeze_time(start + timedelta(hours=2)):
        answer = client.post(f"/api/v1/appeals/{appeal.number}/urgency", headers=people["dispatcher"],
                             json={"urgency": "urgent", "reason": "企业停产在即"})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["urgency"] == "urgent"
    assert body["sla"]["completion_due"].startswith("2026-12-02T01:00:00")  # 24 hours from dispatch
    assert appeal.clock.completion_due < normal_due
    event = appeal.events[-1]
    assert (event.action, event.reason, event.data["from"], event.data["to"]) == (
        "set_urgency", "企业停产在即", "normal", "urgent")
    assert event.data["completion_due"] == appeal.clock.completion_due.isoformat()
    # the supervisor lowers it again
    lowered = client.post(f"/api/v1/appeals/{appeal.number}/urgency", headers=people["supervisor"],
                          json={"urgency": "normal", "reason": "企业已恢复生产"})
    assert lowered.status_code == 200 and appeal.urgency == "normal"
    assert appeal.clock.completion_due == normal_due


@pytest.mark.parametrize("who, body, status, message", [
    ("handler", {"urgency": "urgent", "reason": "很急"}, 403, None),
    ("operator", {"urgency": "urgent", "reason": "很急"}, 403, None),
    ("dispatcher", {"urgency": "urgent"}, 422, "请填写调整原因"),
    ("dispatcher", {"urgency": "soon", "reason": "很急"}, 422, "未知紧急程度"),
    ("dispatcher", {"urgency": "normal", "reason": "不变"}, 409, "紧急程度未变化"),
])
def test_urgency_changes_that_are_refused(client, world, people, who, body, status, message):
    appeal = dispatched(world, local(2026, 12, 1, 9))
    answer = client.post(f"/api/v1/appeals/{appeal.number}/urgency", json=body, headers=people[who])
    assert answer.status_code in ((400, 422) if status == 422 else (status,))
    if message:
        assert message in str(answer.get_json())


def test_a_closed_appeal_keeps_its_urgency(client, world, people):
    appeal = dispatched(world, local(2026, 12, 1, 9))
    appeal.status = Status.closed
    db.session.commit()
    answer = client.post(f"/api/v1/appeals/{appeal.number}/urgency", json={"urgency": "urgent", "reason": "补录"},
                         headers=people["dispatcher"])
    assert answer.status_code == 409


def test_life_danger_ticked_at_intake_and_the_hand_over_recorded(client, world, people):
    from tests.factories import appeal_body

    body = appeal_body(text="车间氯气泄漏，有工人晕倒，请马上处理", urgency="normal", life_danger=True)
    created = client.post("/api/v1/appeals", json=body, headers=people["operator"]).get_json()
    number = created["number"]
    assert created["urgency"] == "emergency"  # danger to life is an emergency, whatever was chosen
    view = client.get(f"/api/v1/appeals/{number}", headers=people["dispatcher"]).get_json()
    assert view["life_danger"] is True and view["handover"] is None
    answer = client.post(f"/api/v1/appeals/{number}/handover", headers=people["operator"],
                         json={"services": ["120", "119"], "note": "已电话转接"})
    assert answer.status_code == 200
    assert answer.get_json()["handover"]["services"] == ["119", "120"]
    more = client.post(f"/api/v1/appeals/{number}/handover", headers=people["dispatcher"], json={"services": ["110"]})
    handover = more.get_json()["handover"]
    assert handover["services"] == ["110", "119", "120"] and handover["at"] and handover["by"]
    events = client.get(f"/api/v1/appeals/{number}", headers=people["supervisor"]).get_json()["events"]
    recorded = [(e["action"], e["data"]["services"], e["reason"]) for e in events if e["action"] == "handover"]
    assert recorded == [("handover", ["119", "120"], "已电话转接"), ("handover", ["110"], None)]


@pytest.mark.parametrize("who, body, status", [
    ("handler", {"services": ["110"]}, 403),
    ("operator", {"services": []}, 422),
    ("operator", {"services": ["999"]}, 422),
    ("operator", {}, 422),
])
def test_hand_overs_that_are_refused(client, world, people, who, body, status):
    appeal = dispatched(world, local(2026, 12, 1, 9))
    answer = client.post(f"/api/v1/appeals/{appeal.number}/handover", json=body, headers=people[who])
    assert answer.status_code in ((400, 422) if status == 422 else (status,))
    assert appeal.handover is None


def test_the_routers_life_danger_flag_counts_absent_is_false(world):
    appeal = make_appeal(world)
    assert not needs_handover(appeal)
    appeal.routing = {"urgency": "emergency"}
    assert not needs_handover(appeal)
    appeal.routing = {"urgency": "emergency", "life_danger": True}
    assert needs_handover(appeal)
