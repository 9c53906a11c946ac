"""Transactional outbox: a job is recorded in the same transaction as the data it acts on.

Every outbox message recorded in a transaction is pushed to RQ right after that transaction
commits (best effort: if Redis is down nothing is lost). The periodic sweep pushes again every
message that is not done and not already waiting or running in RQ (a job a killed worker left
in RQ's intermediate queue is not waiting: the next sweep but one pushes it again). The job runs through `run`,
which locks the message row and marks it done in the job's own transaction, so a message that is
delivered twice, or whose worker died half-way, takes effect exactly once. Each message goes to its
job's queue (jobs.registry `queue=`: retraining has its own, dispatch never waits behind it); every
step that talks to RQ groups the messages by queue, one pipeline or round trip per queue.

A job registered with a batch bound (dispatch: jobs.registry) takes, with its own message, the
other pending messages of the same job that no other run holds (FOR UPDATE SKIP LOCKED), up to
the bound: each in its own savepoint, so one that fails is left pending (for its own RQ job or
the sweep) while the others commit together. The RQ jobs of the messages it did are then dropped
from the queue: in a backlog, one RQ job and one commit serve fifty messages.

A message whose job fails is not tried again at once: its failures are counted, with the last
error, and it is not run (by its own RQ job, a batch or the sweep) before its next-attempt time,
OUTBOX_BACKOFF seconds after the first failure, doubled after each one (at most an hour). After
OUTBOX_MAX_ATTEMPTS failures it is dead-lettered: kept, run no more, logged once at ERROR, the
job's `on_dead` hook called (dispatch: the appeal goes to manual dispatch), listed by
`flask jobs dead` and put back by `flask jobs retry`. A failure recorded this way ends the RQ
job normally (the message row, not RQ's failed list, keeps it). A lost database connection is no
failure of the message: it is raised uncounted, as is a failure that could not be recorded, and
the sweep pushes the message again.
"""
from datetime import timedelta

from flask import current_app
from redis.exceptions import RedisError
from rq.job import Job, JobStatus
from sqlalchemy import event, insert, or_, select, update
from sqlalchemy.exc import DBAPIError, InterfaceError, PendingRollbackError
from sqlalchemy.orm import Session

from jobs.connection import queue
from jobs.registry import Job as RegisteredJob
from jobs.registry import UnknownJob, queue_of, register, resolve
from kernel.db import batch_reads, db, execute_rows
from kernel.errors import is_conflict
from models import OutboxMessage
from models.base import utcnow

INSERT_MESSAGE = insert(OutboxMessage.__table__).returning(OutboxMessage.__table__.c.id, sort_by_parameter_order=True)
WAITING = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED)
CONFLICT_ATTEMPTS = 3
MAX_BACKOFF = 3600  # seconds
ERROR_CHARS = 2000  # of the last error kept on the message


def add(job: str, *args) -> int:
    """Record a job in the current transaction; it is pushed to RQ once the transaction commits."""
    return add_many(job, [list(args)])[0]


def add_many(job: str, args_list: list[list]) -> list[int]:
    """Record one job per argument list, as one INSERT executed at once (not left to the next
    flush): intake's hot path."""
    rows = execute_rows(INSERT_MESSAGE, [{"job": job, "args": args} for args in args_list]).all()
    message_ids = [row.id for row in rows]
    _push_on_commit([(message_id, job) for message_id in message_ids])
    return message_ids


def _push_on_commit(messages: list[tuple[int, str]]) -> None:
    """(message id, job name) pairs to relay once the session's transaction commits."""
    db.session.info.setdefault("outbox", []).extend(messages)


def job_id(message_id: int) -> str:
    return f"outbox-{message_id}"


def _by_queue(messages: list[tuple[int, str]]) -> dict[str, list[int]]:
    """(message id, job name) pairs -> the message ids of each queue (jobs.connection.QUEUES)."""
    groups: dict[str, list[int]] = {}
    for message_id, job in messages:
        groups.setdefault(queue_of(job), []).append(message_id)
    return groups


def relay(messages: list[tuple[int, str]]) -> int:
    """Push (message id, job name) pairs, each to its job's queue, in one pipeline, best effort;
    returns how many were pushed."""
    try:
        with queue().connection.pipeline() as pipe:
            for name, message_ids in _by_queue(messages).items():
                q = queue(name)
                q.enqueue_many([q.prepare_data(run, (message_id,), job_id=job_id(message_id), result_ttl=600,
                                               failure_ttl=86400) for message_id in message_ids], pipeline=pipe)
            pipe.execute()
    except RedisError as error:
        current_app.logger.warning("queue unavailable, %d message(s) left to the sweep: %s",
                                   len(messages), type(error).__name__)
        return 0
    return len(messages)


def _not_held(messages: list[tuple[int, str]], cutoff) -> list[tuple[int, str]]:
    """The messages RQ does not hold waiting, or running since after the cutoff (a live worker).
    One round trip for all of them, and one per queue for its stranded jobs: a backlog of a
    thousand was a thousand round trips every run. When Redis cannot tell, all of them: a message
    pushed twice still takes effect once (`run`)."""
    try:
        connection = queue().connection
        jobs = Job.fetch_many([job_id(m) for m, _ in messages], connection=connection)
        stranded = set()
        for name, message_ids in _by_queue(messages).items():
            stranded |= _stranded(queue(name), {job_id(m) for m in message_ids})
    except Exception:  # Redis unreachable (relay reports it) or a job it cannot read back
        return messages
    return [m for m, job in zip(messages, jobs)
            if job is None or job.id in stranded or not _held(job, cutoff)]


def _stranded(q, job_ids: set[str]) -> set[str]:
    """Those of the jobs that a killed worker left in RQ's intermediate queue: still `queued`,
    but in no list a worker reads, and RQ's own clean-up looks only every 10 minutes. A live
    worker moves a job on within milliseconds of taking it, so a job seen there by an earlier
    sweep too (RQ's first-seen mark) is stranded: it leaves the intermediate queue, to be pushed
    again."""
    intermediate = q.intermediate_queue
    waiting = job_ids.intersection(intermediate.get_job_ids())
    if not waiting:
        return set()
    waiting -= set(q.started_job_registry.get_job_ids(cleanup=False))
    stranded = {job for job in waiting if not intermediate.set_first_seen(job)}
    for job in stranded:
        intermediate.remove(job)
        q.connection.delete(intermediate.get_first_seen_key(job))
    return stranded


def _held(job: Job, cutoff) -> bool:
    status = job.get_status(refresh=False)
    if status in WAITING:
        return True
    return status == JobStatus.STARTED and bool(job.started_at) and job.started_at.replace(tzinfo=cutoff.tzinfo) > cutoff


@register("outbox_sweep")
def sweep(limit: int = 1000) -> int:
    """Push again every message not done, not dead, past its next-attempt time and older than
    OUTBOX_RETRY_AFTER, that RQ does not hold."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["OUTBOX_RETRY_AFTER"])
    pending = [tuple(row) for row in db.session.execute(
        select(OutboxMessage.id, OutboxMessage.job)
        .where(*_ready(), OutboxMessage.created_at < cutoff)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )]
    db.session.rollback()
    return relay(_not_held(pending, cutoff)) if pending else 0


def _ready() -> tuple:
    """The conditions of a message that may run now: not done, not dead, not backed off."""
    return (OutboxMessage.done_at.is_(None), OutboxMessage.dead_at.is_(None),
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= utcnow()))


def _due(message: OutboxMessage) -> bool:
    return (message.done_at is None and message.dead_at is None
            and (message.next_attempt_at is None or message.next_attempt_at <= utcnow()))


def run(message_id: int) -> None:
    """The RQ job: do the recorded work and mark the message done, in one transaction. A
    transaction conflict (deadlock, serialisation failure) is tried again at once, a few times,
    instead of leaving the job failed until the sweep. Any other failure is recorded on the
    message (count, error, next attempt, or dead letter) and ends the RQ job normally."""
    for attempt in range(1, CONFLICT_ATTEMPTS + 1):
        try:
            return _run(message_id)
        except Exception as error:
            if is_conflict(error) and attempt < CONFLICT_ATTEMPTS:
                current_app.logger.error("outbox message %s lost a transaction conflict, trying again: %s",
                                         message_id, error)
                continue
            if _outage(error):
                raise  # not the message's fault: RQ keeps the failure, the sweep pushes it again
            _record_failure(message_id, error)
            return
        finally:
            db.session.remove()


def _run(message_id: int) -> None:
    message = db.session.get(OutboxMessage, message_id)
    if message is not None and _due(message):
        job = resolve(message.job)
        if job.batch > 1:
            return _run_batch(job, message_id)
        db.session.refresh(message, with_for_update=True)
        if _due(message):
            job.function(*message.args)
            message.done_at = utcnow()
            return db.session.commit()
    db.session.rollback()


def _run_batch(job: RegisteredJob, message_id: int) -> None:
    """Do the message and up to `job.batch - 1` other ready messages of the job, each in a
    savepoint, mark the done ones done in one statement and commit once, with the failures of
    those that failed (a city's settings are read once for the batch: kernel.db.batch_reads). A
    message another run holds is skipped: that run does it (this one too, when its own message is
    held). A transaction conflict is no failure of the message: the own message's is raised after
    the commit, for `run` to try again at once."""
    claimed = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.job == job.name, *_ready())
        .order_by((OutboxMessage.id == message_id).desc(), OutboxMessage.id)
        .limit(job.batch).with_for_update(skip_locked=True)
    ).all()
    done, own_conflict = [], None
    with batch_reads():
        for message in claimed:
            try:
                with db.session.begin_nested():
                    job.function(*message.args)
            except Exception as error:
                if _outage(error):
                    raise
                if not is_conflict(error):
                    _failed(message, error)
                elif message.id == message_id:
                    own_conflict = error
                else:  # not the message's fault: left to its own RQ job, uncounted
                    current_app.logger.warning("outbox message %s (%s) lost a transaction conflict, left pending",
                                               message.id, job.name)
            else:
                done.append(message.id)
        if done:  # under the claimed rows' locks, in the transaction of the work: done exactly once
            db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(done)).values(done_at=utcnow()))
        db.session.commit()
    _unqueue(job.queue, [m for m in done if m != message_id])
    if own_conflict is not None:
        raise own_conflict  # `run` tries it again at once


def _outage(error: Exception) -> bool:
    """The database connection was lost under the job: no failure of the message, not counted."""
    return isinstance(error, (InterfaceError, PendingRollbackError)) or (
        isinstance(error, DBAPIError) and error.connection_invalidated)


def _record_failure(message_id: int, error: Exception) -> None:
    """Record the failure of a message run alone, in a transaction of its own. When even that
    fails (the database is gone), the job's error is raised: RQ keeps it, the sweep pushes the
    message again."""
    db.session.rollback()
    try:
        message = db.session.get(OutboxMessage, message_id, with_for_update=True, populate_existing=True)
        if message is not None and message.done_at is None and message.dead_at is None:
            _failed(message, error)
        db.session.commit()
    except Exception:
        db.session.rollback()
        current_app.logger.exception("could not record the failure of outbox message %s", message_id)
        raise error from None


def _failed(message: OutboxMessage, error: Exception) -> None:
    """Count the failure: back off, or dead-letter the message after OUTBOX_MAX_ATTEMPTS."""
    now, config = utcnow(), current_app.config
    message.attempts = (message.attempts or 0) + 1
    message.last_error = f"{type(error).__name__}: {error}"[:ERROR_CHARS]
    if message.attempts < config["OUTBOX_MAX_ATTEMPTS"]:
        delay = min(config["OUTBOX_BACKOFF"] * 2 ** (message.attempts - 1), MAX_BACKOFF)
        message.next_attempt_at = now + timedelta(seconds=delay)
        current_app.logger.warning("outbox message %s (%s) failed (attempt %d of %d), next attempt in %d s",
                                   message.id, message.job, message.attempts, config["OUTBOX_MAX_ATTEMPTS"],
                                   delay, exc_info=error)
        return
    message.dead_at, message.next_attempt_at = now, None
    current_app.logger.error("outbox message %s (%s %s) failed %d times, dead-lettered "
                             "(`flask jobs dead`, `flask jobs retry %s`): %s", message.id, message.job,
                             message.args, message.attempts, message.id, message.last_error, exc_info=error)
    _on_dead(message)


def _on_dead(message: OutboxMessage) -> None:
    try:
        hook = resolve(message.job).on_dead
    except UnknownJob:
        return
    if hook is None:
        return
    try:
        with db.session.begin_nested():
            hook(*message.args)
    except Exception:
        current_app.logger.exception("the dead-letter hook of outbox message %s (%s) failed", message.id, message.job)


def dead_letters() -> list[OutboxMessage]:
    """The dead-lettered messages, oldest first."""
    return db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.dead_at.is_not(None), OutboxMessage.done_at.is_(None)).order_by(OutboxMessage.id)).all()


def retry(message_ids: list[int] | None) -> list[int]:
    """Put dead-lettered messages back (all of them when `message_ids` is None), with their count
    of failures reset, and push them once the transaction commits; returns those put back."""
    query = select(OutboxMessage).where(OutboxMessage.dead_at.is_not(None), OutboxMessage.done_at.is_(None))
    if message_ids is not None:
        query = query.where(OutboxMessage.id.in_(message_ids))
    messages = db.session.scalars(query.order_by(OutboxMessage.id).with_for_update()).all()
    for message in messages:
        message.dead_at = message.next_attempt_at = None
        message.attempts = 0
    _push_on_commit([(m.id, m.job) for m in messages])
    return [m.id for m in messages]


def _unqueue(queue_name: str, message_ids: list[int]) -> None:
    """Drop the waiting RQ jobs of messages a batch did (of one job: in its queue), in one round
    trip (best effort: a job left behind finds its message done). A worker that took one
    meanwhile skips it as gone."""
    if not message_ids:
        return
    try:
        q = queue(queue_name)
        with q.connection.pipeline(transaction=False) as pipe:
            for message_id in message_ids:
                q.remove(job_id(message_id), pipeline=pipe)
                pipe.delete(Job.key_for(job_id(message_id)))
            pipe.execute()
    except RedisError as error:
        current_app.logger.warning("could not drop %d done job(s) from the queue: %s", len(message_ids),
                                   type(error).__name__)


@event.listens_for(Session, "after_commit")
def _push_after_commit(session):
    messages = session.info.pop("outbox", None)
    if messages:
        relay(messages)


@event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop("outbox", None)
