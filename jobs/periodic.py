"""Periodic jobs: one place lists them; each runs under a Redis lock named by its fixed id,
so two schedulers (or a slow run) never make the same job run twice at once."""
from flask import current_app
from rq.cron import CronScheduler

from jobs.connection import redis_connection
from jobs.registry import resolve

# (id, registered job name, seconds between runs)
PERIODIC = [
    ("outbox-sweep", "outbox_sweep", 5),
    ("sla-scan", "sla_scan", 60),
    ("webhook-sweep", "webhook_sweep", 30),
    ("routing-retrain", "retrain_all", 86400),
    # Signed checkpoints of every appeal's event-log head; `flask audit verify` expects one within 3 intervals.
    ("audit-checkpoint", "audit_checkpoint", 300),
]


def run_periodic(job_id: str) -> None:
    """The RQ job behind every periodic entry."""
    name, interval = next((n, s) for i, n, s in PERIODIC if i == job_id)
    function = resolve(name).function
    lock = redis_connection().lock(f"periodic:{job_id}", timeout=max(interval * 10, 60), blocking=False)
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
    for job_id, _, interval in PERIODIC:
        cron.register(run_periodic, queue_name=current_app.config["RQ_QUEUE"], args=(job_id,),
                      interval=interval, name=job_id, result_ttl=60)
    return cron
