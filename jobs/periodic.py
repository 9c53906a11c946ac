"""Periodic jobs: one place lists them; each runs under a Redis lock named by its fixed id,
so two schedulers (or a slow run) never make the same job run twice at once."""
from flask import current_app
from rq.cron import CronScheduler
from werkzeug.utils import import_string

from jobs.connection import redis_connection

# (id, function, seconds between runs)
PERIODIC = [
    ("outbox-sweep", "jobs.outbox.sweep", 5),
    ("sla-scan", "supervision.scan.scan", 60),
    ("webhook-sweep", "webhooks.delivery.sweep", 30),
    ("routing-retrain", "routing.jobs.retrain_all", 86400),
    # Signed checkpoints of every appeal's event-log head; `flask audit verify` expects one within 3 intervals.
    ("audit-checkpoint", "audit.checkpoints.checkpoint", 300),
]


def run_periodic(job_id: str) -> None:
    """The RQ job behind every periodic entry."""
    function, interval = next((f, s) for i, f, s in PERIODIC if i == job_id)
    lock = redis_connection().lock(f"periodic:{job_id}", timeout=max(interval * 10, 60), blocking=False)
    if not lock.acquire():
        return
    try:
        import_string(function)()
    finally:
        lock.release()


def scheduler() -> CronScheduler:
    """The cron scheduler, logging at the workers' level: at INFO it logs a line per run, one
    every few seconds for the outbox sweep."""
    cron = CronScheduler(connection=redis_connection(), logging_level=current_app.config["WORKER_LOG_LEVEL"])
    for job_id, _, interval in PERIODIC:
        cron.register(run_periodic, queue_name=current_app.config["RQ_QUEUE"], args=(job_id,),
                      interval=interval, name=job_id, result_ttl=60)
    return cron
