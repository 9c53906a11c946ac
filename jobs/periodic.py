"""Periodic jobs: one place lists them; each runs under a Redis lock named by its fixed id,
so two schedulers (or a slow run) never make the same job run twice at once.

An entry runs every `interval` seconds (RQ's cron scheduler runs it at its start too), or at the
times of its `cron` expression, which RQ evaluates in UTC and never at start: the nightly retrain
is `0 19 * * *`, 03:00 Beijing time (UTC+8, no summer time), not at every restart of the scheduler
in the working day.
"""
from dataclasses import dataclass

from flask import current_app
from rq.cron import CronScheduler

from jobs.connection import redis_connection
from jobs.registry import resolve

# Seconds the lock of a cron entry's run lives: longer than any run (retrain_all only records one
# message per city), short enough that a crashed run does not skip the next night.
CRON_LOCK = 3600


@dataclass(frozen=True)
class Periodic:
    id: str
    job: str  # registered job name (jobs.registry)
    interval: int | None = None  # seconds between runs, or
    cron: str | None = None  # a cron expression, in UTC

    @property
    def lock_timeout(self) -> int:
        return max(self.interval * 10, 60) if self.interval else CRON_LOCK


PERIODIC = [
    Periodic("outbox-sweep", "outbox_sweep", interval=5),
    Periodic("sla-scan", "sla_scan", interval=60),
    Periodic("webhook-sweep", "webhook_sweep", interval=30),
    # One retrain job per city, worked by the training queue's worker (routing.jobs).
    Periodic("routing-retrain", "retrain_all", cron="0 19 * * *"),
    # Signed checkpoints of every appeal's event-log head; `flask audit verify` expects one within 3 intervals.
    Periodic("audit-checkpoint", "audit_checkpoint", interval=300),
]


def entry(job_id: str) -> Periodic:
    return next(p for p in PERIODIC if p.id == job_id)


def run_periodic(job_id: str) -> None:
    """The RQ job behind every periodic entry."""
    periodic = entry(job_id)
    function = resolve(periodic.job).function
    lock = redis_connection().lock(f"periodic:{job_id}", timeout=periodic.lock_timeout, blocking=False)
    if not lock.acquire():
        return
    try:
        function()
    finally:
        lock.release()


def scheduler() -> CronScheduler:
    """The cron scheduler, logging at the workers' level: at INFO it logs a line per run, one
    every few seconds for the outbox sweep."""
    cron = CronScheduler(connection=redis_connection(), logging_level=current_app.config["WORKER_LOG_LEVEL"])
    for item in PERIODIC:
        cron.register(run_periodic, queue_name=current_app.config["RQ_QUEUE"], args=(item.id,),
                      interval=item.interval, cron=item.cron, name=item.id, result_ttl=60)
    return cron
