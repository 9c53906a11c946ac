"""Dispatch in batches (issue 24): one outbox run routes every pending dispatch message up to the
bound, each in its own savepoint; one that fails is counted and backed off and holds back none of the others."""
import dataclasses

from rq import Queue
from sqlalchemy import func, select

from jobs import outbox, registry
from kernel.vocabulary import Status
from models import Appeal, AppealEvent, OutboxMessage
from routing import dispatch
from routing.jobs import DISPATCH_JOB
from tests.factories import appeal_body, submit_for_dispatch


def _dispatch_events(database, appeal_id: int) -> int:
    return database.session.scalar(select(func.count()).select_from(AppealEvent).where(
        AppealEvent.appeal_id == appeal_id, AppealEvent.action.in_(["to_manual", "route"])))


def _state(database, message_ids):
    database.session.expire_all()
    messages = [database.session.get(OutboxMessage, m) for m in message_ids]
    return [(m.done_at is not None, database.session.get(Appeal, m.args[0]).status) for m in messages]


def test_one_run_dispatches_every_pending_appeal_and_drops_their_queued_jobs(client, world, database, app, redis_conn):
    messages = submit_for_dispatch(client, world, 3)
    q = Queue(app.config["RQ_QUEUE"], connection=redis_conn)
    assert q.count == 3
    outbox.run(messages[1])
    assert _state(database, messages) == [(True, Status.manual)] * 3
    assert q.job_ids == [outbox.job_id(messages[1])]  # its own, which RQ would be running now
    outbox.run(messages[0])  # a late duplicate changes nothing
    appeal_ids = [database.session.get(OutboxMessage, m).args[0] for m in messages]
    assert [_dispatch_events(database, a) for a in appeal_ids] == [1, 1, 1]


def test_one_failing_appeal_holds_back_none_of_the_others(client, world, database, app, redis_conn, monkeypatch):
    messages = submit_for_dispatch(client, world, 3)
    bad = database.session.get(OutboxMessage, messages[1]).args[0]
    real = dispatch.dispatch_appeal

    def fails_on_bad(appeal_id):
        real(appeal_id)  # the appeal's changes so far are rolled back with its savepoint
        if appeal_id == bad:
            raise RuntimeError("router exploded")

    monkeypatch.setattr(dispatch, "dispatch_appeal", fails_on_bad)
    outbox.run(messages[0])
    assert _state(database, messages) == [(True, Status.manual), (False, Status.received), (True, Status.manual)]
    q = Queue(app.config["RQ_QUEUE"], connection=redis_conn)
    assert outbox.job_id(messages[1]) in q.job_ids  # its own job is left, to run it again when due
    failed = database.session.get(OutboxMessage, messages[1])
    assert failed.attempts == 1 and "router exploded" in failed.last_error
    failed.next_attempt_at = None  # its backoff over (tests/jobs/test_dead_letters.py)
    database.session.commit()
    outbox.run(messages[1])  # fails again: counted on the message, the RQ job ends normally
    assert database.session.get(OutboxMessage, messages[1]).attempts == 2
    database.session.get(OutboxMessage, messages[1]).next_attempt_at = None
    database.session.commit()
    monkeypatch.setattr(dispatch, "dispatch_appeal", real)
    outbox.run(messages[1])
    assert _state(database, messages) == [(True, Status.manual)] * 3
    assert _dispatch_events(database, bad) == 1


def test_a_run_takes_at_most_the_bound(client, world, database, monkeypatch):
    messages = submit_for_dispatch(client, world, 3)
    job = registry.resolve(DISPATCH_JOB)
    monkeypatch.setitem(registry._jobs, DISPATCH_JOB, dataclasses.replace(job, batch=2))
    outbox.run(messages[2])
    assert [done for done, _ in _state(database, messages)] == [True, False, True]  # its own first, then the oldest


def test_two_workers_racing_over_a_backlog_dispatch_each_appeal_once(app, live_world, live_client, redis_conn):
    """Real workers in their own processes, each taking batches (SKIP LOCKED) from one backlog."""
    from kernel.db import db
    from tests.jobs.helpers import start_worker

    _, operator = live_world.user("operator")
    numbers = [live_client.post("/api/v1/appeals", json=appeal_body(), headers=operator).get_json()["number"]
               for _ in range(30)]
    workers = [start_worker(burst=True) for _ in range(2)]
    assert [w.wait(120) for w in workers] == [0, 0]
    db.session.remove()
    appeals = db.session.scalars(select(Appeal).where(Appeal.number.in_(numbers))).all()
    assert {a.status for a in appeals} == {Status.manual}
    assert [_dispatch_events(db, a.id) for a in appeals] == [1] * 30
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.done_at.is_(None))) == 0
