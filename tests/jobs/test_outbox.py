"""The outbox with a real Redis and real RQ workers: nothing lost, nothing done twice."""
import os
import time
from concurrent.futures import ThreadPoolExecutor

from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from jobs import outbox
from kernel.db import db
from kernel.vocabulary import Status
from models import Appeal, AppealEvent, OutboxMessage
from tests.factories import appeal_body
from tests.jobs.helpers import free_port, kill_hard, redis_server, start_worker, wait_until


def _dispatch_events(db, number):
    return db.session.scalar(
        select(func.count()).select_from(AppealEvent).join(Appeal)
        .where(Appeal.number == number, AppealEvent.action.in_(["to_manual", "route"]))
    )


def test_commit_pushes_the_dispatch_job_and_a_worker_runs_it(client, world, database, app, redis_conn):
    _, operator = world.user("operator")
    number = client.post("/api/v1/appeals", json=appeal_body(), headers=operator).get_json()["number"]
    q = Queue(app.config["RQ_QUEUE"], connection=redis_conn)
    assert q.count == 1
    SimpleWorker([q], connection=redis_conn).work(burst=True)
    appeal = database.session.query(Appeal).filter_by(number=number).one()
    assert appeal.status == Status.manual
    assert database.session.query(OutboxMessage).one().done_at is not None


def test_sweep_pushes_only_what_the_queue_does_not_hold(client, world, database, app, redis_conn):
    _, operator = world.user("operator")
    for _ in range(3):
        client.post("/api/v1/appeals", json=appeal_body(), headers=operator)
    q = Queue(app.config["RQ_QUEUE"], connection=redis_conn)
    assert q.count == 3
    time.sleep(1.1)  # OUTBOX_RETRY_AFTER is 1 s in tests
    assert outbox.sweep() == 0  # all three wait in the queue
    lost = q.job_ids[0]  # as after a Redis restart without persistence: neither queued nor known
    q.remove(lost)
    redis_conn.delete(f"rq:job:{lost}")
    assert outbox.sweep() == 1
    assert q.count == 3 and lost in q.job_ids


def test_running_a_message_twice_dispatches_once(client, world, database):
    _, operator = world.user("operator")
    number = client.post("/api/v1/appeals", json=appeal_body(), headers=operator).get_json()["number"]
    message_id = database.session.query(OutboxMessage).one().id
    outbox.run(message_id)
    outbox.run(message_id)
    assert _dispatch_events(database, number) == 1


class _Deadlock(Exception):
    sqlstate = "40P01"


def test_a_job_that_loses_a_deadlock_is_tried_again_at_once(client, world, database, monkeypatch):
    """Issue 26: a dispatch job that lost a deadlock stayed in RQ's failed list until the sweep."""
    from sqlalchemy.exc import OperationalError

    from routing import dispatch

    _, operator = world.user("operator")
    number = client.post("/api/v1/appeals", json=appeal_body(), headers=operator).get_json()["number"]
    real, calls = dispatch.dispatch_appeal, []

    def deadlocked_once(appeal_id):
        calls.append(appeal_id)
        if len(calls) == 1:
            raise OperationalError("SELECT … FOR UPDATE", {}, _Deadlock("deadlock detected"))
        real(appeal_id)

    monkeypatch.setattr(dispatch, "dispatch_appeal", deadlocked_once)
    outbox.run(database.session.query(OutboxMessage).one().id)
    assert len(calls) == 2 and _dispatch_events(database, number) == 1
    assert database.session.query(OutboxMessage).one().done_at is not None


def test_rolled_back_transaction_pushes_nothing(app, database, redis_conn):
    outbox.add("dispatch_appeal", 12345)
    database.session.flush()
    database.session.rollback()
    assert Queue(app.config["RQ_QUEUE"], connection=redis_conn).count == 0


def test_intake_answers_201_with_redis_down_and_routes_once_redis_is_back(app, live_world, live_client):
    client = live_client
    port = free_port()
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    app.extensions.pop("redis", None)
    try:
        _, operator = live_world.user("operator")
        started = time.monotonic()
        responses = [client.post("/api/v1/appeals", json=appeal_body(), headers=operator) for _ in range(3)]
        assert [r.status_code for r in responses] == [201, 201, 201]
        assert time.monotonic() - started < 10
        with redis_server(port):
            app.extensions.pop("redis", None)
            time.sleep(1.1)  # OUTBOX_RETRY_AFTER is 1 s in tests
            assert outbox.sweep() == 3
            worker = start_worker({"REDIS_URL": app.config["REDIS_URL"]}, burst=True)
            assert worker.wait(60) == 0
            numbers = [r.get_json()["number"] for r in responses]
            db.session.remove()
            assert {a.status for a in db.session.scalars(select(Appeal))} == {Status.manual}
            assert all(_dispatch_events(db, n) == 1 for n in numbers)
    finally:
        app.config["REDIS_URL"] = os.environ["REDIS_URL"]
        app.extensions.pop("redis", None)


def test_worker_killed_mid_job_neither_loses_nor_doubles_the_dispatch(app, live_world, live_client, tmp_path):
    client = live_client
    _, operator = live_world.user("operator")
    number = client.post("/api/v1/appeals", json=appeal_body(), headers=operator).get_json()["number"]
    appeal_id = db.session.scalar(select(Appeal.id).where(Appeal.number == number))
    # Replace the pushed job by a slow one, so the worker can be killed while it holds the transaction.
    db.session.execute(OutboxMessage.__table__.update().values(job="dispatch_slowly"))
    db.session.commit()
    marker = tmp_path / "half-way"
    worker = start_worker({"SLOW_JOB_MARKER": str(marker)}, app_module="tests.jobs.slow_jobs")
    wait_until(marker.exists, timeout=30)
    kill_hard(worker)
    db.session.remove()
    assert db.session.get(Appeal, appeal_id).status == Status.received  # the killed transaction left nothing
    time.sleep(1.1)
    assert outbox.sweep() == 1
    db.session.execute(OutboxMessage.__table__.update().values(job="dispatch_appeal"))
    db.session.commit()
    second = start_worker(burst=True)
    assert second.wait(60) == 0
    db.session.remove()
    assert db.session.get(Appeal, appeal_id).status == Status.manual
    assert _dispatch_events(db, number) == 1


def test_racing_duplicates_create_one_appeal(app, live_world, client):
    _, operator = live_world.user("operator")
    body = appeal_body(external_id="race-1")

    def post(_):
        with app.test_client() as c:
            return c.post("/api/v1/appeals", json=body, headers=operator)

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(post, range(8)))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 7 + [201]
    assert len({r.get_json()["number"] for r in responses}) == 1
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Appeal)) == 1


def test_finding_15_job_left_in_the_intermediate_queue_by_a_killed_worker_is_pushed_again(
        client, world, database, app, redis_conn):
    """A worker SIGKILLed right after taking a job (RQ's LMOVE into the intermediate queue)
    leaves it `queued` where no worker reads; the sweep pushes it again on its next runs (every
    5 s), not after RQ's 10-minute clean-up, and the appeal is dispatched once."""
    _, operator = world.user("operator")
    number = client.post("/api/v1/appeals", json=appeal_body(), headers=operator).get_json()["number"]
    q = Queue(app.config["RQ_QUEUE"], connection=redis_conn)
    [stuck] = q.job_ids
    assert redis_conn.lmove(q.key, q.intermediate_queue_key) == stuck.encode()  # the worker's dequeue, then SIGKILL
    assert q.fetch_job(stuck).get_status() == "queued" and q.count == 0
    time.sleep(1.1)  # OUTBOX_RETRY_AFTER is 1 s in tests
    assert outbox.sweep() == 0  # first seen there: a live worker may be taking it this instant
    assert outbox.sweep() == 1  # seen there again: stranded
    assert q.job_ids == [stuck] and q.intermediate_queue.get_job_ids() == []
    assert outbox.sweep() == 0  # waiting in the queue now
    SimpleWorker([q], connection=redis_conn).work(burst=True)
    outbox.run(database.session.query(OutboxMessage).one().id)  # a late duplicate changes nothing
    assert _dispatch_events(database, number) == 1
    assert database.session.query(Appeal).filter_by(number=number).one().status == Status.manual


def test_finding_15_a_job_being_started_is_not_pushed_twice(client, world, database, app, redis_conn):
    _, operator = world.user("operator")
    client.post("/api/v1/appeals", json=appeal_body(), headers=operator)
    q = Queue(app.config["RQ_QUEUE"], connection=redis_conn)
    [taken] = q.job_ids
    redis_conn.lmove(q.key, q.intermediate_queue_key)
    redis_conn.zadd(q.started_job_registry.key, {f"{taken}:execution-1": time.time() + 600})  # a live worker's
    time.sleep(1.1)
    assert outbox.sweep() == 0 and outbox.sweep() == 0
    assert q.intermediate_queue.get_job_ids() == [taken]
