"""WEBHOOKS_DELIVERY_ENABLED=0 (a restored copy in a drill): nothing leaves, deliveries stay pending."""
import pytest

from models import Delivery, OutboxMessage
from tests.webhooks.receivers import Receiver, dispatched, run_jobs, subscribe
from webhooks.delivery import sweep


@pytest.fixture
def disabled(app):
    app.config["WEBHOOKS_DELIVERY_ENABLED"] = False
    yield
    app.config["WEBHOOKS_DELIVERY_ENABLED"] = True


def test_disabled_deliveries_stay_pending_and_nothing_is_sent(app, live_world, live_db, disabled):
    receiver = Receiver()
    try:
        subscribe(live_world, receiver.url, "appeal.dispatched", unit="市工信局")
        for _ in range(2):
            dispatched(live_world)
        run_jobs(lambda: live_db.session.query(OutboxMessage).filter(OutboxMessage.done_at.is_(None)).count() == 0)
        assert sweep() == 0  # the periodic sweep does not queue them again and again either
        run_jobs(lambda: True)
        assert receiver.requests == []
        assert [(d.state, d.attempts) for d in live_db.session.query(Delivery)] == [("pending", 0)] * 2
    finally:
        receiver.stop()


def test_the_setting_comes_from_the_environment(monkeypatch):
    from kernel.settings import from_environment

    assert from_environment()["WEBHOOKS_DELIVERY_ENABLED"] is True
    monkeypatch.setenv("WEBHOOKS_DELIVERY_ENABLED", "0")
    assert from_environment()["WEBHOOKS_DELIVERY_ENABLED"] is False
