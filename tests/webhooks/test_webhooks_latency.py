"""A receiver that never answers, with real worker processes: intake and dispatch keep their pace."""
import statistics
import time

import requests

from kernel.db import db
from models import Appeal, Delivery
from tests.factories import appeal_body
from tests.webhooks.receivers import Receiver, serve, subscribe, wait_until, worker_processes

SLOW = {"WEBHOOK_READ_TIMEOUT": "1.5", "WEBHOOK_CONNECT_TIMEOUT": "1", "WEBHOOK_MAX_ATTEMPTS": "2",
        "WEBHOOK_RETRY_BASE": "0.2", "WEBHOOK_RETRY_CAP": "0.3",
        "WEBHOOK_ALLOW_PRIVATE_TARGETS": "1"}  # the receiver listens on 127.0.0.1


def read(query):
    """Read and end the transaction at once: on SQLite it holds the database's write lock."""
    try:
        return query()
    finally:
        db.session.remove()


def statuses(numbers):
    return read(lambda: {a.status for a in db.session.query(Appeal).filter(Appeal.number.in_(numbers))})


def delivery_states():
    return read(lambda: [d.state for d in db.session.query(Delivery).order_by(Delivery.id)])


def test_black_hole_receiver_ends_in_dead_letter_and_intake_latency_is_unaffected(app, live_world, monkeypatch):
    for name, value in SLOW.items():  # deliveries are made here (their attempt limit), attempts in the worker
        monkeypatch.setitem(app.config, name, value)
    hook = Receiver(default=("hang",))
    subscribe(live_world, hook.url, "appeal.dispatched", unit="市工信局")
    _, operator = live_world.user("operator")
    _, dispatcher = live_world.user("dispatcher")
    db.session.remove()
    try:
        with serve(app) as base, worker_processes("jobs", "webhooks", env=SLOW):

            def submit():
                started = time.perf_counter()
                response = requests.post(f"{base}/api/v1/appeals", json=appeal_body(), headers=operator, timeout=10)
                assert response.status_code == 201
                return time.perf_counter() - started, response.json()["number"]

            baseline = [submit() for _ in range(5)]
            first = [n for _, n in baseline]
            wait_until(lambda: statuses(first) == {"manual"})
            for number in first[:2]:
                started = time.perf_counter()
                assigned = requests.post(f"{base}/api/v1/appeals/{number}/assign", json={"lead_unit": "市工信局"},
                                         headers=dispatcher, timeout=10)
                assert assigned.status_code == 200 and time.perf_counter() - started < 1
            wait_until(lambda: len(hook.requests) >= 1, timeout=10)

            during = [submit() for _ in range(5)]  # the webhook worker is stuck on the receiver now
            started = time.perf_counter()
            wait_until(lambda: statuses([n for _, n in during]) == {"manual"}, timeout=10)
            dispatch_wait = time.perf_counter() - started
            assert "dead" not in delivery_states()  # all that happened while the receiver held the worker

            wait_until(lambda: delivery_states() == ["dead", "dead"], timeout=30)
    finally:
        hook.stop()
    before, after = [t for t, _ in baseline], [t for t, _ in during]
    assert max(after) < 1.0, after  # a blocking design would wait out the 1.5 s read timeout
    assert statistics.median(after) < statistics.median(before) + 0.3, (before, after)
    assert dispatch_wait < 1.5
    assert len(hook.requests) == 4
    db.session.remove()
    for delivery in db.session.query(Delivery):
        assert [a.number for a in delivery.attempt_log] == [1, 2]
        assert all(a.status_code is None and "超时" in a.error for a in delivery.attempt_log)
