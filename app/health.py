"""What operations watch: `/healthz` (the process answers), `/readyz` (it can do its work) and
`/metrics` (Prometheus text format).

Every metric is read from PostgreSQL and Redis at scrape time into a registry of its own, so the
numbers are the same whichever web process (or gunicorn worker) answers, and no state is kept
between scrapes. `/metrics` is answered to loopback clients that came through no proxy, or to
`Authorization: Bearer <METRICS_TOKEN>` when that setting is given (docs/operations.md).
"""
import hmac
from datetime import timedelta
from ipaddress import ip_address

from flask import Blueprint, Response, abort, current_app, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from redis.exceptions import RedisError
from rq import Worker
from sqlalchemy import case, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from kernel.db import db
from kernel.vocabulary import Status
from models import Appeal, AppealClock, OutboxMessage
from models.base import utcnow
from models.webhook import Delivery

blp = Blueprint("health", __name__)

# A worker heartbeats at least every WORKER_TTL - 15 s while idle (jobs/worker.py); older than
# this and it is stuck or gone.
WORKER_FRESH = timedelta(seconds=120)
MANUAL_STATUSES = (Status.manual, Status.returned)
LATENCY_WINDOW = timedelta(hours=24)
LATENCY_BUCKETS = (1, 5, 15, 30, 60, 300, 900, 3600)


@blp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@blp.get("/readyz")
def readyz():
    checks = {"database": _check_database(), "redis": _check_redis()}
    checks["worker"] = _check_worker() if checks["redis"] == "ok" else "redis unreachable"
    ready = all(value == "ok" for value in checks.values())
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503


def _check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except SQLAlchemyError as error:
        db.session.rollback()
        return type(error).__name__


def _check_redis() -> str:
    from jobs.connection import redis_connection

    try:
        redis_connection().ping()
        return "ok"
    except RedisError as error:
        return type(error).__name__


def _check_worker() -> str:
    """A live worker of the main queue (dispatch). The training queue's worker is not checked: without
    it only retraining waits (dispatch uses the active model), which is no reason to take this
    process out of service, and a retrain of minutes would make its heartbeat look stale anyway;
    its backlog shows in /metrics (appeals_queue_depth)."""
    from jobs.connection import queue, redis_connection

    oldest = utcnow() - WORKER_FRESH
    workers = Worker.all(connection=redis_connection(), queue=queue())
    beats = [w.last_heartbeat for w in workers if w.last_heartbeat]
    if not beats:
        return "no worker"
    return "ok" if max(beats) >= oldest else "heartbeat stale"


@blp.get("/metrics")
def metrics():
    _authorize_scrape()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector())
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def _authorize_scrape() -> None:
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return
    # Behind a proxy on the same machine every request looks local: a forwarded one never is.
    forwarded = "X-Forwarded-For" in request.headers or current_app.config["PROXY_HOPS"]
    if not forwarded and request.remote_addr and ip_address(request.remote_addr).is_loopback:
        return
    abort(403)


class _Collector:
    def collect(self):
        now = utcnow()
        yield from _database_metrics(now)
        yield from _queue_metrics()

    def describe(self):
        return []


def _gauge(name: str, documentation: str, value=None, labels=(), rows=()) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, value=value, labels=list(labels) or None)
    for label_values, row_value in rows:
        family.add_metric(label_values, row_value)
    return family


def _database_metrics(now):
    session = db.session
    backlog = session.execute(
        select(func.count(), func.min(OutboxMessage.created_at))
        .where(OutboxMessage.done_at.is_(None), OutboxMessage.dead_at.is_(None))
    ).one()
    yield _gauge("appeals_outbox_backlog", "Outbox jobs not done yet (dead letters apart)", backlog[0])
    yield _gauge("appeals_outbox_oldest_age_seconds", "Age of the oldest outbox job not done (dead letters apart)",
                 _age(now, backlog[1]))
    dead = session.execute(
        select(OutboxMessage.job, func.count())
        .where(OutboxMessage.done_at.is_(None), OutboxMessage.dead_at.is_not(None)).group_by(OutboxMessage.job)
    ).all()
    yield _gauge("appeals_outbox_dead", "Outbox jobs dead-lettered after failing every attempt, by job",
                 labels=["job"], rows=[([job], count) for job, count in dead])

    manual = session.execute(
        select(func.count(), func.min(Appeal.updated_at)).where(Appeal.status.in_(MANUAL_STATUSES))
    ).one()
    yield _gauge("appeals_manual_queue_size", "Appeals waiting for a dispatcher", manual[0])
    yield _gauge("appeals_manual_queue_oldest_wait_seconds",
                 "Longest wait of an appeal in the manual queue (since its last change)", _age(now, manual[1]))

    colour = case(
        (AppealClock.pending.is_(True), "pending"),
        (AppealClock.completion_due < now, "red"),
        (AppealClock.yellow_at <= now, "yellow"),
        else_="green",
    )
    counts = dict(session.execute(
        select(colour, func.count()).where(AppealClock.open.is_(True)).group_by(colour)
    ).all())
    yield _gauge("appeals_open", "Open appeals (the unit's clock runs) by colour", labels=["colour"],
                 rows=[([c], counts.get(c, 0)) for c in ("green", "yellow", "red", "pending")])

    states = session.execute(select(Delivery.state, func.count()).group_by(Delivery.state)).all()
    yield _gauge("appeals_webhook_deliveries", "Outbound webhook deliveries by state", labels=["state"],
                 rows=[([state], count) for state, count in states])
    yield _latency(session, now)


def _age(now, since) -> float:
    return (now - since).total_seconds() if since else 0.0


def _latency(session, now) -> HistogramMetricFamily:
    """Received → dispatched of the appeals dispatched in the last 24 hours (auto or manual)."""
    pairs = session.execute(
        select(Appeal.received_at, Appeal.dispatched_at).where(Appeal.dispatched_at >= now - LATENCY_WINDOW)
    ).all()
    seconds = [max(0.0, (dispatched - received).total_seconds()) for received, dispatched in pairs]
    buckets = [(str(float(b)), sum(1 for s in seconds if s <= b)) for b in LATENCY_BUCKETS]
    buckets.append(("+Inf", len(seconds)))
    family = HistogramMetricFamily("appeals_dispatch_latency_seconds",
                                   "Received to dispatched, appeals dispatched in the last 24 hours")
    family.add_metric([], buckets, sum_value=sum(seconds))
    return family


def _queue_metrics():
    """Queue lengths from Redis; left out (not zero) when Redis does not answer."""
    from jobs.connection import redis_connection
    from webhooks.config import webhook_queue_name

    names = (current_app.config["RQ_QUEUE"], current_app.config["RQ_TRAINING_QUEUE"], webhook_queue_name())
    try:
        connection = redis_connection()
        rows = [([name], connection.llen(f"rq:queue:{name}")) for name in names]
    except RedisError:
        return
    yield _gauge("appeals_queue_depth", "Jobs waiting in an RQ queue", labels=["queue"], rows=rows)
