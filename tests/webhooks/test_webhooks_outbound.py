import json
import threading

import pytest

from kernel.db import db
from models import Delivery, DeliveryAttempt, OutboxMessage
from tests.webhooks.receivers import dispatched, make_partner, run_jobs, submitted, subscribe
from webhooks.delivery import attempt, backoff
from webhooks.events import FIRST_ATTEMPT_JOB
from webhooks.signing import verify
from workflow.transitions import perform

pytestmark = pytest.mark.usefixtures("private_targets")  # the receivers listen on 127.0.0.1


def deliveries(**filters):
    db.session.expire_all()
    return db.session.query(Delivery).filter_by(**filters).order_by(Delivery.id).all()


def test_dispatch_creates_one_delivery_per_matching_subscription(world, database):
    partner = make_partner(world)
    lead = subscribe(world, "http://127.0.0.1:9/lead", "appeal.dispatched", unit="市工信局")
    subscribe(world, "http://127.0.0.1:9/other", "appeal.dispatched", unit="市人社局")
    subscribe(world, "http://127.0.0.1:9/closed-only", "appeal.closed", unit="市工信局")
    own = subscribe(world, "http://127.0.0.1:9/partner", "appeal.dispatched", partner=partner)
    appeal = dispatched(world, creator=partner.user, channel="partner", external_id="hotline12345:T-9")
    found = deliveries()
    assert {d.subscription_id for d in found} == {lead.id, own.id}
    assert {d.event_type for d in found} == {"appeal.dispatched"}
    jobs = database.session.query(OutboxMessage).filter_by(job=FIRST_ATTEMPT_JOB).all()
    assert sorted(j.args[0] for j in jobs) == sorted(d.key for d in found)
    payload = next(d.payload for d in found if d.subscription_id == own.id)
    assert payload["appeal"]["number"] == appeal.number and payload["appeal"]["lead_unit"] == "市工信局"
    assert payload["appeal"]["external_id"] == "T-9"  # the partner's own id
    assert payload["appeal"]["deadline"]["colour"] == "green" and payload["appeal"]["deadline"]["completion_due"]
    assert "external_id" not in next(d.payload for d in found if d.subscription_id == lead.id)["appeal"]


def test_assisting_units_hear_of_the_dispatch_too(world, database):
    helper = subscribe(world, "http://127.0.0.1:9/h", "appeal.dispatched", unit="市人社局")
    dispatched(world, assisting=["市人社局"])
    assert [d.subscription_id for d in deliveries()] == [helper.id]


def test_payload_carries_no_complainant_data(world, database):
    subscribe(world, "http://127.0.0.1:9/lead", "appeal.dispatched", unit="市工信局")
    appeal = dispatched(world, complainant={"name": "欧阳娜娜", "phone": "13912345678"})
    text = json.dumps(deliveries()[0].payload, ensure_ascii=False)
    for secret in ("欧阳", "13912345678", "139****5678", "complainant", "phone"):
        assert secret not in text
    assert appeal.number in text and "金昌某某材料有限公司" in text


def test_return_and_close_reach_the_unit_that_held_the_appeal(world, database):
    subscription = subscribe(world, "http://127.0.0.1:9/lead", "appeal.returned", "appeal.closed",
                             unit="市工信局")
    appeal = dispatched(world)
    handler = world.user("handler", unit="市工信局")[0]
    perform(appeal, "return", handler, reason="不属于本单位职责")
    db.session.commit()
    returned = deliveries(event_type="appeal.returned")
    assert [d.subscription_id for d in returned] == [subscription.id]
    assert returned[0].payload["event"]["data"] == {"returned_by_unit": "市工信局"}
    assert returned[0].payload["appeal"]["lead_unit"] is None


def test_partner_hears_only_of_its_own_appeals(world, database):
    partner = make_partner(world)
    subscribe(world, "http://127.0.0.1:9/p", "appeal.dispatched", partner=partner)
    dispatched(world)  # submitted by an operator
    assert deliveries() == []


def test_nothing_is_delivered_for_a_rolled_back_event(world, database):
    subscribe(world, "http://127.0.0.1:9/lead", "appeal.dispatched", unit="市工信局")
    appeal = submitted(world)
    to_dispatch = world.units["市工信局"]
    from workflow.transitions import dispatch, to_manual

    to_manual(appeal, "测试")
    dispatch(appeal, to_dispatch, [], None)
    db.session.flush()
    assert len(db.session.query(Delivery).all()) == 1
    db.session.rollback()
    assert deliveries() == []


def test_intake_alone_delivers_nothing_and_needs_no_subscription_query(world, database):
    subscribe(world, "http://127.0.0.1:9/lead", *["appeal.dispatched", "appeal.closed"], unit="市工信局")
    submitted(world)
    assert deliveries() == []


def test_flaky_receiver_gets_the_event_exactly_once_with_a_valid_signature(world, database, fast, receiver):
    hook = receiver(500, 503, default=200)
    subscription = subscribe(world, hook.url, "appeal.dispatched", unit="市工信局")
    hook.secret = subscription.secret
    number = dispatched(world).number
    run_jobs(lambda: deliveries()[0].state == "delivered")
    delivery = deliveries()[0]
    assert [e["appeal"]["number"] for e in hook.events] == [number]
    assert [r["signed"] for r in hook.requests] == [True, True, True]
    assert {r["headers"]["X-Delivery-Id"] for r in hook.requests} == {delivery.key}
    assert [r["headers"]["X-Delivery-Attempt"] for r in hook.requests] == ["1", "2", "3"]
    assert len({r["body"] for r in hook.requests}) == 1
    log = delivery.attempt_log
    assert [(a.number, a.status_code) for a in log] == [(1, 500), (2, 503), (3, 200)]
    assert "HTTP 500" in log[0].error and log[2].error is None
    assert all(a.latency_ms >= 0 for a in log) and delivery.delivered_at is not None
    gaps = [b["at"] - a["at"] for a, b in zip(hook.requests, hook.requests[1:])]
    assert all(gap < 2 for gap in gaps)


def test_receiver_that_never_answers_ends_in_dead_letter(world, database, fast, receiver):
    hook = receiver(default=("hang",))
    subscribe(world, hook.url, "appeal.dispatched", unit="市工信局")
    dispatched(world)
    run_jobs(lambda: deliveries()[0].state == "dead", timeout=30)
    delivery = deliveries()[0]
    assert delivery.attempts == 4 and len(hook.requests) == 4 and hook.events == []
    assert [a.status_code for a in delivery.attempt_log] == [None] * 4
    assert all("超时" in a.error for a in delivery.attempt_log)
    assert all(a.latency_ms >= 400 for a in delivery.attempt_log)


def test_unreachable_receiver_is_logged_as_such(world, database, fast):
    subscribe(world, "http://127.0.0.1:9/closed-port", "appeal.dispatched", unit="市工信局")
    dispatched(world)
    run_jobs(lambda: deliveries()[0].state == "dead")
    assert all("无法连接" in a.error for a in deliveries()[0].attempt_log)


def test_a_success_after_a_timeout_and_its_retry_is_one_event_for_the_receiver(world, database, fast, receiver):
    """The first answer comes after our read timeout: we retry; the receiver had the event already."""
    hook = receiver(("slow", 1.0, 200), default=200)
    subscribe(world, hook.url, "appeal.dispatched", unit="市工信局")
    dispatched(world)
    run_jobs(lambda: deliveries()[0].state == "delivered")
    delivery = deliveries()[0]
    assert len(hook.requests) == 2 and len(hook.events) == 1
    assert [a.status_code for a in delivery.attempt_log] == [None, 200]


@pytest.mark.pg_only
def test_two_copies_of_an_attempt_send_once(app, live_world, fast, receiver):
    """The same attempt job running twice at once (a duplicate push, a sweep): one request only."""
    hook = receiver(("slow", 0.3, 200))
    subscribe(live_world, hook.url, "appeal.dispatched", unit="市工信局")
    dispatched(live_world)
    delivery_id = deliveries()[0].id
    db.session.remove()

    def run():
        with app.app_context():
            attempt(delivery_id)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    delivery = deliveries()[0]
    assert len(hook.requests) == 1 and delivery.state == "delivered"
    assert db.session.query(DeliveryAttempt).count() == 1


def test_a_late_success_of_a_superseded_attempt_still_counts(world, database, fast, receiver):
    """Attempt 1 outlived its lease, attempt 2 was started and failed: attempt 1's 200 wins."""
    from webhooks.delivery import _finish

    subscribe(world, "http://127.0.0.1:9/x", "appeal.dispatched", unit="市工信局")
    dispatched(world)
    delivery = deliveries()[0]
    delivery.state, delivery.attempts = "sending", 2
    db.session.commit()
    _finish(delivery.id, 2, delivery.created_at, 500, 10, "接收方返回 HTTP 500")
    assert deliveries()[0].state == "pending"
    _finish(delivery.id, 1, delivery.created_at, 200, 900, None)
    assert deliveries()[0].state == "delivered"


@pytest.mark.parametrize("attempt_number", [1, 2, 3, 6, 12])
def test_backoff_is_full_jitter_under_an_exponential_ceiling(app, attempt_number):
    with app.app_context():
        app.config.update(WEBHOOK_RETRY_BASE=1.0, WEBHOOK_RETRY_CAP=20.0)
        try:
            delays = [backoff(attempt_number) for _ in range(300)]
        finally:
            del app.config["WEBHOOK_RETRY_BASE"], app.config["WEBHOOK_RETRY_CAP"]
    ceiling = min(20.0, 2 ** (attempt_number - 1))
    assert all(0 <= d <= ceiling for d in delays)
    assert max(delays) > ceiling * 0.8 and min(delays) < ceiling * 0.2


def test_sweep_requeues_lost_and_stuck_deliveries_only(world, database):
    from datetime import timedelta

    from models.base import utcnow
    from webhooks.delivery import sweep, webhook_queue

    subscribe(world, "http://127.0.0.1:9/x", "appeal.dispatched", unit="市工信局")
    for _ in range(4):
        dispatched(world)
    lost, stuck, _just_made, running = deliveries()
    lost.next_attempt_at = utcnow() - timedelta(minutes=5)
    stuck.state, stuck.lease_until = "sending", utcnow() - timedelta(seconds=1)
    running.state, running.lease_until = "sending", utcnow() + timedelta(seconds=30)
    db.session.commit()
    webhook_queue().empty()
    assert sweep() == 2
    assert sorted(job.args[0] for job in webhook_queue().jobs) == sorted([lost.id, stuck.id])


@pytest.mark.parametrize("action, data, event_type, shared", [
    ("sla_yellow", {"completion_due": "2026-11-30T15:59:59+00:00", "unit": "市工信局"}, "appeal.yellow",
     {"completion_due": "2026-11-30T15:59:59+00:00", "unit": "市工信局"}),
    ("sla_red", {"completion_due": "2026-11-30T15:59:59+00:00", "unit": "市工信局"}, "appeal.red",
     {"completion_due": "2026-11-30T15:59:59+00:00", "unit": "市工信局"}),
    ("follow_up", {"solved": False, "rating": "dissatisfied", "channel": "phone", "note": "张先生说没人联系"},
     "appeal.followed_up", {"solved": False, "rating": "dissatisfied"}),
    ("supervision_open", {"order": 7, "kind": "overdue", "unit": "市工信局"}, "supervision.opened",
     {"order": 7, "kind": "overdue", "unit": "市工信局"}),
])
def test_sla_follow_up_and_supervision_events_map_to_their_types(world, database, action, data, event_type,
                                                                  shared):
    from events.log import record

    subscribe(world, "http://127.0.0.1:9/all", *sorted({"appeal.dispatched", event_type}), unit="市工信局")
    appeal = dispatched(world)
    record(appeal, action, None, from_status=appeal.status, reason="张先生的原话", data=data)
    db.session.commit()
    [delivery] = deliveries(event_type=event_type)
    assert delivery.payload["event"]["action"] == action and delivery.payload["event"]["data"] == shared
    assert "张先生" not in json.dumps(delivery.payload, ensure_ascii=False)


def test_during_a_rotation_overlap_both_secrets_verify_the_delivery(world, database, fast, receiver):
    from datetime import timedelta

    from webhooks.signing import parse_header, rotate

    hook = receiver()
    subscription = subscribe(world, hook.url, "appeal.dispatched", unit="市工信局")
    old = subscription.secret
    new = rotate(subscription, timedelta(hours=1))
    db.session.commit()
    dispatched(world)
    run_jobs(lambda: deliveries()[0].state == "delivered")
    [request] = hook.requests
    headers, body = request["headers"], request["body"]
    assert len(parse_header(headers["X-Webhook-Signature"])) == 2
    for secret in (old, new):
        assert verify(headers["X-Webhook-Signature"], [secret], headers["X-Webhook-Timestamp"], body)


def test_the_routers_dispatch_is_announced_like_a_dispatchers(world, database):
    from workflow.transitions import dispatch, to_manual

    subscribe(world, "http://127.0.0.1:9/lead", "appeal.dispatched", unit="市人社局")
    appeal = submitted(world)
    to_manual(appeal, "测试")
    dispatch(appeal, world.units["市人社局"], [], None, action="route")
    db.session.commit()
    [delivery] = deliveries()
    assert delivery.event_type == "appeal.dispatched" and delivery.payload["event"]["action"] == "route"


def test_a_disabled_subscription_sends_nothing_more(world, database, fast, receiver):
    hook = receiver()
    subscription = subscribe(world, hook.url, "appeal.dispatched", unit="市工信局")
    dispatched(world)
    subscription.active = False
    db.session.commit()
    run_jobs(lambda: deliveries()[0].state == "dead")
    assert hook.requests == [] and deliveries()[0].attempt_log[0].error == "订阅已停用，未发送"
    dispatched(world)
    assert len(deliveries()) == 1  # no new deliveries for an inactive subscription
