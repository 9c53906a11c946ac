"""The periodic scheduler: every entry registered under its fixed id, logging at the workers' level;
the nightly retrain at 03:00 Beijing time, never at the scheduler's start."""
import logging
from datetime import UTC, datetime, timedelta, timezone

from rq.cron import CronJob

from jobs import periodic

BEIJING = timezone(timedelta(hours=8))


def test_every_periodic_entry_is_registered_under_its_id(app):
    with app.app_context():
        cron = periodic.scheduler()
    assert sorted(job.name for job in cron.get_jobs()) == sorted(entry.id for entry in periodic.PERIODIC)


def test_the_nightly_retrain_runs_at_3_beijing_time_not_when_the_scheduler_starts(app, monkeypatch):
    monkeypatch.setattr(CronJob, "enqueue", lambda job, connection: None)  # what is due, without queueing it
    with app.app_context():
        cron = periodic.scheduler()
        at_start = {job.name for job in cron.enqueue_jobs()}  # the scheduler's first round
    assert "routing-retrain" not in at_start
    assert "outbox-sweep" in at_start  # interval entries do run at start
    nightly = next(job for job in cron.get_jobs() if job.name == "routing-retrain")
    assert (nightly.interval, nightly.cron) == (None, "0 19 * * *")
    at = nightly.next_enqueue_time.astimezone(BEIJING)
    assert (at.hour, at.minute) == (3, 0)
    assert timedelta(0) < nightly.next_enqueue_time - datetime.now(UTC) <= timedelta(days=1)
    assert periodic.entry("routing-retrain").lock_timeout == periodic.CRON_LOCK


def test_the_scheduler_logs_at_the_workers_level_not_a_line_per_run(app, monkeypatch):
    assert app.config["WORKER_LOG_LEVEL"] == "WARNING"  # the default
    # As in `flask jobs scheduler`: no handler anywhere yet (pytest's own would make RQ keep its hands off).
    log = logging.getLogger("rq.cron")
    for logger in (logging.root, log):
        monkeypatch.setattr(logger, "handlers", [])
    monkeypatch.setattr(log, "level", logging.NOTSET)
    monkeypatch.setattr(log, "propagate", True)
    with app.app_context():
        periodic.scheduler()
    assert not log.isEnabledFor(logging.INFO)
    assert log.isEnabledFor(logging.WARNING)
