"""Retraining has its own RQ queue and worker: a received appeal is dispatched at once, never after
minutes of training (jobs.registry `queue=`, `flask jobs worker --queue training`)."""
import time

from sqlalchemy import select

from jobs import outbox
from jobs.connection import queue
from kernel.db import db
from kernel.vocabulary import Status
from models import Appeal, OutboxMessage
from routing.jobs import RETRAIN_JOB, request_retrain
from tests.factories import submit_for_dispatch
from tests.routing.test_service import fresh_cache, install_model  # noqa: F401


def retrain_message(world) -> int:
    assert request_retrain(world.city.id, True)
    db.session.commit()
    return db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.job == RETRAIN_JOB)).one()


def done(message_id: int) -> bool:
    return db.session.get(OutboxMessage, message_id, populate_existing=True).done_at is not None


def job_ids(name: str) -> list[str]:
    return queue(name).job_ids


def test_a_retrain_waits_in_its_own_queue_and_the_default_worker_dispatches_past_it(
        app, client, world, redis_conn, monkeypatch):
    install_model(world)  # a city in service: dispatch asks for no retrain
    city_id = world.city.id
    trained = []
    monkeypatch.setattr("routing.jobs.build_version", lambda city_id: trained.append(city_id))
    retrain = retrain_message(world)
    [dispatch] = submit_for_dispatch(client, world, 1)
    assert job_ids("main") == [outbox.job_id(dispatch)]
    assert job_ids("training") == [outbox.job_id(retrain)]
    assert app.config["RQ_TRAINING_QUEUE"] == app.config["RQ_QUEUE"] + "-training"
    # Minutes of training at the lowest priority are not stopped by RQ's default timeout (180 s).
    assert queue("training").fetch_job(outbox.job_id(retrain)).timeout == 3600
    assert queue("main").fetch_job(outbox.job_id(dispatch)).timeout == 180

    runner = app.test_cli_runner()
    assert runner.invoke(args=["jobs", "worker", "--burst"]).exit_code == 0  # the main queue's worker
    assert done(dispatch) and db.session.scalars(select(Appeal.status)).one() != Status.received
    assert trained == [] and not done(retrain)  # the retrain still waits, for its own worker
    assert job_ids("training") == [outbox.job_id(retrain)]

    assert runner.invoke(args=["jobs", "worker", "--burst", "--queue", "training"]).exit_code == 0
    assert trained == [city_id] and done(retrain)


def test_the_retrain_a_dispatch_asks_for_goes_to_the_training_queue(app, client, world):
    from tests.routing.test_service import add_table

    add_table(world)  # a table, no model yet: the dispatch job asks for a first model
    db.session.commit()
    submit_for_dispatch(client, world, 1)
    assert app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"]).exit_code == 0
    assert db.session.scalars(select(Appeal.status)).one() == Status.manual  # no model: a dispatcher routes it
    [retrain] = db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.job == RETRAIN_JOB)).all()
    assert job_ids("training") == [outbox.job_id(retrain)] and job_ids("main") == []


def test_the_sweep_and_retry_push_a_retrain_to_the_training_queue(app, world, redis_conn):
    retrain = retrain_message(world)
    training = queue("training")
    [pushed] = training.job_ids
    time.sleep(1.1)  # OUTBOX_RETRY_AFTER is 1 s in tests
    assert outbox.sweep() == 0  # waiting in its queue
    training.remove(pushed)  # lost, as after a Redis restart without persistence
    redis_conn.delete(f"rq:job:{pushed}")
    assert outbox.sweep() == 1
    assert training.job_ids == [pushed] and job_ids("main") == []

    # Taken by a training worker that was then killed: stranded in the training queue's intermediate list.
    assert redis_conn.lmove(training.key, training.intermediate_queue_key) == pushed.encode()
    assert outbox.sweep() == 0  # first seen there
    assert outbox.sweep() == 1  # seen there again: stranded
    assert training.job_ids == [pushed] and job_ids("main") == []

    training.empty()
    message = db.session.get(OutboxMessage, retrain)
    message.dead_at, message.attempts = message.created_at, 5  # dead-lettered
    db.session.commit()
    assert outbox.retry([retrain]) == [retrain]
    db.session.commit()
    assert training.job_ids == [pushed] and job_ids("main") == []
