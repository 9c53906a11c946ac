"""Delivery attempts: each is its own RQ job on the webhook queue, so a slow or failing receiver
only ever occupies the webhook worker, never intake or dispatch.

An attempt first claims the delivery (pending and due, or sending with an expired lease) in one
UPDATE, so two copies of the same job never send at once. A failure schedules the next attempt
with `enqueue_in` after a full-jitter exponential back-off; after `attempt_limit` attempts the
delivery is dead (dead letter) until an admin re-delivers it. Every attempt is logged with its
status code, latency and a short error (never the receiver's answer). A success that arrives after a
retry was started still marks the delivery delivered; the receiver dedupes on X-Delivery-Id. With
WEBHOOKS_DELIVERY_ENABLED=0 nothing is sent and nothing is claimed: every delivery stays pending, to be
sent by a process that has them enabled.
"""
import json
import random
import time
from datetime import timedelta

import requests
from flask import current_app
from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy import and_, or_, select, update

from jobs import outbox
from jobs.connection import redis_connection
from jobs.registry import register
from kernel.db import db
from models import Delivery, DeliveryAttempt
from models.base import utcnow
from webhooks import targets
from webhooks.config import setting, webhook_queue_name
from webhooks.events import FIRST_ATTEMPT_JOB
from webhooks.signing import signature_header, valid_secrets

USER_AGENT = "appeals-webhooks/1"
EARLY = timedelta(seconds=1)  # a scheduled job may fire this much before next_attempt_at


def webhook_queue() -> Queue:
    return Queue(webhook_queue_name(), connection=redis_connection())


def encode(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def backoff(attempt: int) -> float:
    """Seconds before the attempt after `attempt`: full jitter over an exponential ceiling."""
    ceiling = min(setting("WEBHOOK_RETRY_CAP"), setting("WEBHOOK_RETRY_BASE") * 2 ** (attempt - 1))
    return random.uniform(0, ceiling)


def _enqueue(delivery_id: int, delay: float = 0.0) -> bool:
    try:
        if delay > 0:
            webhook_queue().enqueue_in(timedelta(seconds=delay), attempt, delivery_id, result_ttl=600)
        else:
            webhook_queue().enqueue(attempt, delivery_id, result_ttl=600)
    except RedisError as error:
        current_app.logger.warning("webhook queue unavailable, delivery %s left to the sweep: %s",
                                   delivery_id, type(error).__name__)
        return False
    return True


@register(FIRST_ATTEMPT_JOB)
def enqueue_first(key: str) -> None:
    """The outbox job behind every new (or re-delivered) delivery: queue its attempt."""
    delivery_id = db.session.scalar(select(Delivery.id).where(Delivery.key == key))
    if delivery_id is not None and not _enqueue(delivery_id):
        raise RuntimeError("webhook queue unavailable")  # the outbox message stays pending


def _claim(delivery_id: int) -> bool:
    now = utcnow()
    lease = setting("WEBHOOK_CONNECT_TIMEOUT") + setting("WEBHOOK_READ_TIMEOUT") + 30
    result = db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, or_(
            and_(Delivery.state == "pending", Delivery.next_attempt_at <= now + EARLY),
            and_(Delivery.state == "sending", Delivery.lease_until < now),
        ))
        .values(state="sending", attempts=Delivery.attempts + 1, lease_until=now + timedelta(seconds=lease))
    )
    db.session.commit()
    return result.rowcount == 1


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str | None]:
    """Status code and error of one POST. Only to checked addresses (webhooks/targets.py), no
    redirect followed, and the receiver's answer is never read: nothing it says is kept."""
    timeout = (setting("WEBHOOK_CONNECT_TIMEOUT"), setting("WEBHOOK_READ_TIMEOUT"))
    try:
        with targets.session() as session, session.post(url, data=body, headers=headers, timeout=timeout,
                                                        allow_redirects=False, stream=True) as response:
            status = response.status_code
    except targets.TargetRefused as error:
        return None, str(error)
    except requests.ConnectTimeout:
        return None, f"连接超时（{timeout[0]:g}秒）"
    except requests.ReadTimeout:
        return None, f"等待应答超时（{timeout[1]:g}秒）"
    except requests.ConnectionError as error:
        return None, f"无法连接：{type(error).__name__}"
    except requests.RequestException as error:
        return None, f"请求失败：{type(error).__name__}"
    if 200 <= status < 300:
        return status, None
    if 300 <= status < 400:
        return status, f"接收方要求重定向（HTTP {status}），推送不跟随重定向，请填写最终地址"
    return status, f"接收方返回 HTTP {status}"


def delivery_disabled() -> bool:
    """WEBHOOKS_DELIVERY_ENABLED=0 (a restored copy in a drill): nothing leaves, deliveries stay pending."""
    if current_app.config["WEBHOOKS_DELIVERY_ENABLED"]:
        return False
    current_app.logger.warning("outbound deliveries are disabled (WEBHOOKS_DELIVERY_ENABLED=0): nothing sent")
    return True


def attempt(delivery_id: int) -> None:
    """The RQ job: one attempt of one delivery."""
    if delivery_disabled():
        return
    try:
        if not _claim(delivery_id):
            return
        delivery = db.session.get(Delivery, delivery_id)
        subscription = delivery.subscription
        if not subscription.active:
            delivery.state, delivery.lease_until = "dead", None
            db.session.add(DeliveryAttempt(delivery=delivery, number=delivery.attempts, started_at=utcnow(),
                                           latency_ms=0, error="订阅已停用，未发送"))
            db.session.commit()
            return
        number, body, timestamp = delivery.attempts, encode(delivery.payload), int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Webhook-Event": delivery.event_type,
            "X-Delivery-Id": delivery.key,
            "X-Delivery-Attempt": str(number),
            "X-Webhook-Timestamp": str(timestamp),
            "X-Webhook-Signature": signature_header(valid_secrets(subscription), timestamp, body),
        }
        url = subscription.url
        db.session.rollback()  # no transaction stays open while the receiver takes its time
        started, clock = utcnow(), time.perf_counter()
        status, error = _post(url, body, headers)
        _finish(delivery_id, number, started, status, round((time.perf_counter() - clock) * 1000), error)
    finally:
        db.session.remove()


def _finish(delivery_id: int, number: int, started, status: int | None, latency_ms: int, error: str | None):
    delivery = db.session.get(Delivery, delivery_id, with_for_update=True)
    db.session.add(DeliveryAttempt(delivery=delivery, number=number, started_at=started, status_code=status,
                                   latency_ms=latency_ms, error=error))
    retry_in = None
    if delivery.state == "delivered":
        pass  # another attempt got there first
    elif error is None:
        delivery.state, delivery.delivered_at, delivery.lease_until = "delivered", utcnow(), None
    elif delivery.attempts != number or delivery.state != "sending":
        pass  # a newer attempt owns the delivery now
    elif number >= delivery.attempt_limit:
        delivery.state, delivery.lease_until = "dead", None
    else:
        retry_in = backoff(number)
        delivery.state, delivery.lease_until = "pending", None
        delivery.next_attempt_at = utcnow() + timedelta(seconds=retry_in)
    db.session.commit()
    if retry_in is not None:
        _enqueue(delivery_id, retry_in)


def redeliver(delivery: Delivery) -> None:
    """A dead delivery gets a fresh round of attempts, queued after the caller commits."""
    delivery.state = "pending"
    delivery.attempt_limit = delivery.attempts + setting("WEBHOOK_MAX_ATTEMPTS")
    delivery.next_attempt_at = utcnow()
    outbox.add(FIRST_ATTEMPT_JOB, delivery.key)


@register("webhook_sweep")
def sweep(limit: int = 1000) -> int:
    """Queue again deliveries whose scheduled attempt RQ lost, or whose attempt died mid-way."""
    if delivery_disabled():
        return 0
    now = utcnow()
    overdue = now - timedelta(seconds=setting("WEBHOOK_SWEEP_GRACE"))
    ids = db.session.scalars(
        select(Delivery.id)
        .where(or_(and_(Delivery.state == "pending", Delivery.next_attempt_at < overdue),
                   and_(Delivery.state == "sending", Delivery.lease_until < now)))
        .order_by(Delivery.id)
        .limit(limit)
    ).all()
    db.session.rollback()
    return sum(_enqueue(delivery_id) for delivery_id in ids)
