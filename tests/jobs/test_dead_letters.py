"""A message that fails every time (issue 24's leftover): its failures are counted and backed off,
it is dead-lettered after OUTBOX_MAX_ATTEMPTS (kept, run no more, its appeal left to manual
dispatch), listed and put back by `flask jobs dead|retry`, counted in /metrics."""
import logging
import time
from datetime import timedelta

import pytest
from rq import Queue
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from jobs import outbox, registry
from kernel.vocabulary import Status
from models import Appeal, AppealEvent, OutboxMessage
from models.base import utcnow
from routing import dispatch
from tests.factories import submit_for_dispatch

FLAKY_JOB = "test_always_fails"
calls: list = []


@registry.register(FLAKY_JOB)
def always_fails(value):
    calls.append(value)
    raise ValueError(f"bad value {value}")


@pytest.fixture
def attempts(app, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 3)
    monkeypatch.setitem(app.config, "OUTBOX_BACKOFF", 30)
    return 3



def _message(database, message_id) -> OutboxMessage:
    database.session.expire_all()
    return database.session.get(OutboxMessage, message_id)


def _make_due(database, message_id) -> None:
    _message(database, message_id).next_attempt_at = utcnow() - timedelta(seconds=1)
    database.session.commit()


def _fail_on(monkeypatch, database, message_id) -> int:
    bad = database.session.get(OutboxMessage, message_id).args[0]
    real = dispatch.dispatch_appeal

    def fails_on_bad(appeal_id):
        real(appeal_id)
        if appeal_id == bad:
            raise RuntimeError("router exploded")

    monkeypatch.setattr(dispatch, "dispatch_appeal", fails_on_bad)
    return bad


def _forget_rq_job(redis_conn, q, message_id) -> None:
    """As after a Redis restart: RQ neither holds nor knows the message's job."""
    q.remove(outbox.job_id(message_id))
    redis_conn.delete(f"rq:job:{outbox.job_id(message_id)}")


def test_a_failing_message_is_counted_and_backed_off_while_the_good_one_goes_through(
        client, world, database, app, redis_conn, monkeypatch, attempts):
    good, bad = submit_for_dispatch(client, world, 2)
    _fail_on(monkeypatch, database, bad)
    outbox.run(good)  # the batch takes both
    assert _message(database, good).done_at is not None
    failed = _message(database, bad)
    assert (failed.done_at, failed.dead_at, failed.attempts) == (None, None, 1)
    assert failed.last_error == "RuntimeError: router exploded"
    wait = (failed.next_attempt_at - utcnow()).total_seconds()
    assert 25 < wait <= 30

    outbox.run(bad)  # its own RQ job, before its time: nothing tried
    assert _message(database, bad).attempts == 1
    q = Queue(app.config["RQ_QUEUE"], connection=redis_conn)
    _forget_rq_job(redis_conn, q, bad)
    time.sleep(1.1)  # OUTBOX_RETRY_AFTER is 1 s in tests
    assert outbox.sweep() == 0  # backed off: the sweep leaves it too
    _make_due(database, bad)
    assert outbox.sweep() == 1

    outbox.run(bad)  # fails again: the delay doubles
    failed = _message(database, bad)
    assert failed.attempts == 2 and 55 < (failed.next_attempt_at - utcnow()).total_seconds() <= 60


def test_dead_after_n_failures_not_picked_again_and_its_appeal_left_to_manual_dispatch(
        client, world, database, app, redis_conn, monkeypatch, attempts, caplog):
    (bad,) = submit_for_dispatch(client, world, 1)
    appeal_id = _fail_on(monkeypatch, database, bad)
    with caplog.at_level(logging.WARNING):
        for _ in range(attempts):
            _make_due(database, bad)
            outbox.run(bad)
    dead = _message(database, bad)
    assert dead.attempts == attempts and dead.dead_at is not None and dead.done_at is None
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and "dead-lettered" in r.getMessage()]
    assert len(errors) == 1
    assert sum("failed (attempt" in r.getMessage() for r in caplog.records) == attempts - 1

    appeal = database.session.get(Appeal, appeal_id)
    assert appeal.status == Status.manual and appeal.routing["reason"] == "dispatch_failed"
    event = database.session.scalars(select(AppealEvent).where(
        AppealEvent.appeal_id == appeal_id, AppealEvent.action == "to_manual")).one()
    assert event.reason == dispatch.FAILED_REASON

    dead.next_attempt_at = None
    database.session.commit()
    outbox.run(bad)  # neither its own job…
    q = Queue(app.config["RQ_QUEUE"], connection=redis_conn)
    _forget_rq_job(redis_conn, q, bad)
    time.sleep(1.1)
    assert outbox.sweep() == 0  # …nor the sweep runs it again
    assert _message(database, bad).attempts == attempts

    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'appeals_outbox_dead{job="dispatch_appeal"} 1.0' in metrics
    assert "appeals_outbox_backlog 0.0" in metrics


def test_flask_jobs_dead_lists_and_retry_puts_back(client, world, database, app, redis_conn, monkeypatch,
                                                   attempts):
    (bad,) = submit_for_dispatch(client, world, 1)
    real = dispatch.dispatch_appeal
    appeal_id = _fail_on(monkeypatch, database, bad)
    for _ in range(attempts):
        _make_due(database, bad)
        outbox.run(bad)
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["jobs", "dead"])
    assert listed.exit_code == 0
    assert f"{bad}\tdispatch_appeal\t参数 [{appeal_id}]\t失败 3 次" in listed.output
    assert "RuntimeError: router exploded" in listed.output and "共 1 个死信任务" in listed.output

    assert runner.invoke(args=["jobs", "retry"]).exit_code == 2  # an id or --all
    q = Queue(app.config["RQ_QUEUE"], connection=redis_conn)
    _forget_rq_job(redis_conn, q, bad)
    result = runner.invoke(args=["jobs", "retry", str(bad), "999999"])
    assert result.exit_code == 0 and f"已重新排队 1 个任务：{bad}" in result.output
    assert "999999" in result.output
    back = _message(database, bad)
    assert (back.dead_at, back.attempts, back.next_attempt_at) == (None, 0, None)
    assert outbox.job_id(bad) in q.job_ids  # pushed again once committed

    monkeypatch.setattr(dispatch, "dispatch_appeal", real)
    outbox.run(bad)  # the appeal went to manual dispatch meanwhile: done, nothing dispatched twice
    assert _message(database, bad).done_at is not None
    assert database.session.scalar(select(func.count()).select_from(AppealEvent).where(
        AppealEvent.appeal_id == appeal_id, AppealEvent.action.in_(["to_manual", "route"]))) == 1
    assert "共 0 个死信任务" in runner.invoke(args=["jobs", "dead"]).output


def test_a_single_job_that_always_fails_goes_dead_and_retry_all_puts_it_back(app, database, attempts, caplog):
    calls.clear()
    message_id = outbox.add(FLAKY_JOB, 7)
    database.session.commit()
    for _ in range(attempts + 2):
        _make_due(database, message_id)
        outbox.run(message_id)  # never raises: recorded on the message
    assert calls == [7] * attempts  # not run after its death
    dead = _message(database, message_id)
    assert dead.dead_at is not None and dead.last_error == "ValueError: bad value 7"
    assert [m.id for m in outbox.dead_letters()] == [message_id]

    result = app.test_cli_runner().invoke(args=["jobs", "retry", "--all"])
    assert result.exit_code == 0 and "已重新排队 1 个任务" in result.output
    outbox.run(message_id)
    assert calls == [7] * (attempts + 1) and _message(database, message_id).attempts == 1


@registry.register("test_connection_lost")
def connection_lost(value):
    raise OperationalError("SELECT 1", {}, Exception("server closed the connection"), connection_invalidated=True)


def test_a_lost_database_connection_is_no_failure_of_the_message(app, database, attempts):
    message_id = outbox.add("test_connection_lost", 1)
    database.session.commit()
    with pytest.raises(OperationalError):
        outbox.run(message_id)  # raised for RQ as before; the sweep pushes it again
    assert _message(database, message_id).attempts == 0
