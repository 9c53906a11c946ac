"""Transactional outbox: a job is recorded in the same transaction as the data it acts on.

After commit the relay pushes it to RQ; if Redis is down nothing is lost, because the periodic
sweep pushes every message not done (and not already waiting in the queue) again. The job runs
through `run`, which locks the message row and marks it done in the job's own transaction, so a
message that is delivered twice, or whose worker died half-way, takes effect exactly once.
"""
from datetime import timedelta

from flask import current_app
from redis.exceptions import RedisError
from rq.job import Job, JobStatus
from sqlalchemy import or_, select
from werkzeug.utils import import_string

from app.extensions import db
from jobs.connection import queue
from models import OutboxMessage
from models.base import utcnow


def add(job: str, *args) -> OutboxMessage:
    """Record a job in the current transaction; push it with `relay` after commit."""
    message = OutboxMessage(job=job, args=list(args))
    db.session.add(message)
    return message


def job_id(message_id: int) -> str:
    return f"outbox-{message_id}"


def relay(message_ids: list[int]) -> int:
    """Push committed messages to RQ, best effort; returns how many were pushed."""
    pushed = 0
    try:
        q = queue()
        for message_id in message_ids:
            q.enqueue(run, message_id, job_id=job_id(message_id), result_ttl=600, failure_ttl=86400)
            pushed += 1
    except RedisError as error:
        current_app.logger.warning("queue unavailable, %d message(s) left to the sweep: %s",
                                   len(message_ids) - pushed, type(error).__name__)
    if pushed:
        db.session.execute(
            OutboxMessage.__table__.update()
            .where(OutboxMessage.id.in_(message_ids[:pushed]))
            .values(enqueued_at=utcnow(), attempts=OutboxMessage.attempts + 1)
        )
        db.session.commit()
    return pushed


def _waiting_in_queue(message_id: int) -> bool:
    job = Job.fetch(job_id(message_id), connection=queue().connection) if _job_exists(message_id) else None
    return job is not None and job.get_status(refresh=False) in (JobStatus.QUEUED, JobStatus.SCHEDULED)


def _job_exists(message_id: int) -> bool:
    return bool(queue().connection.exists(Job.key_for(job_id(message_id))))


def sweep(limit: int = 500) -> int:
    """Push again every message not done whose last push is older than OUTBOX_RETRY_AFTER."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["OUTBOX_RETRY_AFTER"])
    pending = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.done_at.is_(None))
        .where(or_(OutboxMessage.enqueued_at.is_(None), OutboxMessage.enqueued_at < cutoff))
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.rollback()
    return relay([m for m in pending if not _waiting_in_queue(m)])


def run(message_id: int) -> None:
    """The RQ job: do the recorded work and mark the message done, in one transaction."""
    try:
        message = db.session.get(OutboxMessage, message_id, with_for_update=True)
        if message is None or message.done_at is not None:
            db.session.rollback()
            return
        import_string(message.job)(*message.args)
        message.done_at = utcnow()
        db.session.commit()
    finally:
        db.session.remove()
