"""The RQ worker, run inside the application context."""
from rq import Worker

from app.extensions import db
from jobs.connection import queue, redis_connection


class AppWorker(Worker):
    """Forks a work horse per job; the horse must not reuse the parent's database connections."""

    def main_work_horse(self, job, queue):
        db.engine.dispose(close=False)
        return super().main_work_horse(job, queue)


def work(burst: bool = False) -> bool:
    """Work the queue; RQ's own scheduler runs alongside, for jobs enqueued to run later (retries)."""
    db.engine.dispose()
    worker = AppWorker([queue()], connection=redis_connection())
    return worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
