"""The RQ worker, run inside the application context."""
from flask import current_app
from rq import SimpleWorker

from jobs.connection import queue, redis_connection
from kernel.db import db

# Seconds a worker's registration lives without a heartbeat; an idle worker beats every
# WORKER_TTL - 15 s, which /readyz (app/health.py) checks.
WORKER_TTL = 60


class AppWorker(SimpleWorker):
    """Runs each job in the worker process itself, keeping its database pool and warm caches.

    RQ's default forks a work horse per job, which cost ~100 ms a job here (fork, new database
    connection, cold caches) and capped a worker at a few appeals a second. A job is safe to
    run in-process: the outbox gives it its own transaction and `outbox.run` removes the
    session afterwards; a job that crashes the process is re-pushed by the sweep.
    """


def work(queues=None, burst: bool = False) -> bool:
    """Work the queues (default: the main one, never the training one: retraining has a worker of
    its own, `flask jobs worker --queue training`); RQ's own scheduler runs alongside, for jobs
    enqueued to run later (retries)."""
    db.engine.dispose()
    worker = AppWorker(queues or [queue()], connection=redis_connection(), worker_ttl=WORKER_TTL)
    return worker.work(burst=burst, with_scheduler=True,
                       logging_level=current_app.config["WORKER_LOG_LEVEL"])
