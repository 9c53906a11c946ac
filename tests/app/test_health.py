"""/healthz, /readyz and /metrics against the real database and Redis."""
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from rq import Worker

from jobs.connection import queue, redis_connection
from kernel.db import db
from models import Appeal
from models.base import utcnow
from tests.factories import appeal_body
from tests.jobs.helpers import free_port


@pytest.fixture
def worker_alive(app, database):
    """A worker of the main queue registered in Redis, as `flask jobs worker` does at start."""
    worker = Worker([queue()], connection=redis_connection())
    worker.register_birth()
    yield worker
    worker.register_death()


@pytest.fixture
def redis_stopped(app):
    """The app pointed at a port nothing listens on."""
    saved = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    app.extensions.pop("redis", None)
    yield
    app.config["REDIS_URL"] = saved
    app.extensions.pop("redis", None)


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_ready_with_database_redis_and_a_fresh_worker(client, worker_alive):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json["checks"] == {"database": "ok", "redis": "ok", "worker": "ok"}


def test_not_ready_without_a_worker(client, database):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["worker"] == "no worker"


def test_a_training_worker_alone_is_no_dispatch_worker(client, database):
    training = Worker([queue("training")], connection=redis_connection())
    training.register_birth()
    try:
        assert client.get("/readyz").json["checks"]["worker"] == "no worker"
    finally:
        training.register_death()


def test_not_ready_when_the_heartbeat_is_stale(client, worker_alive):
    worker_alive.connection.hset(worker_alive.key, "last_heartbeat",
                                 (utcnow() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["worker"] == "heartbeat stale"


def test_not_ready_when_redis_is_unreachable(client, database, redis_stopped):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "ok"
    assert response.json["checks"]["redis"] != "ok"


def _samples(response) -> dict:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for s in family.samples}


def test_metrics_from_the_database_and_redis(app, client, world):
    _, operator = world.user("operator")
    numbers = [client.post("/api/v1/appeals", json=appeal_body(), headers=operator).json["number"]
               for _ in range(3)]
    manual, dispatched, _ = (db.session.query(Appeal).filter_by(number=n).one() for n in numbers)
    manual.status = "manual"
    dispatched.status, dispatched.dispatched_at = "dispatched", dispatched.received_at + timedelta(seconds=20)
    db.session.commit()

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    samples = _samples(response)
    assert samples[("appeals_outbox_backlog", ())] == 3  # three dispatch jobs not run (no worker)
    queue = app.config["RQ_QUEUE"]
    assert samples[("appeals_queue_depth", (("queue", queue),))] == 3
    assert samples[("appeals_queue_depth", (("queue", f"{queue}-webhooks"),))] == 0
    assert samples[("appeals_queue_depth", (("queue", f"{queue}-training"),))] == 0
    assert samples[("appeals_manual_queue_size", ())] == 1
    assert samples[("appeals_manual_queue_oldest_wait_seconds", ())] >= 0
    assert samples[("appeals_open", (("colour", "red"),))] == 0
    assert samples[("appeals_dispatch_latency_seconds_count", ())] == 1
    assert samples[("appeals_dispatch_latency_seconds_bucket", (("le", "15.0"),))] == 0
    assert samples[("appeals_dispatch_latency_seconds_bucket", (("le", "30.0"),))] == 1
    assert "# TYPE appeals_webhook_deliveries gauge" in response.get_data(as_text=True)


def test_metrics_without_redis_still_answer_from_the_database(client, database, redis_stopped):
    samples = _samples(client.get("/metrics"))
    assert ("appeals_outbox_backlog", ()) in samples
    assert not any(name == "appeals_queue_depth" for name, _ in samples)


def test_metrics_only_to_loopback_or_with_the_token(app, client, database):
    remote = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=remote).status_code == 403
    # A proxy on the same machine: the request looks local but was forwarded.
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    app.config["METRICS_TOKEN"] = "scrape-secret"
    try:
        assert client.get("/metrics", environ_base=remote,
                          headers={"Authorization": "Bearer wrong"}).status_code == 403
        assert client.get("/metrics", environ_base=remote,
                          headers={"Authorization": "Bearer scrape-secret"}).status_code == 200
    finally:
        app.config["METRICS_TOKEN"] = None
