"""The periodic scheduler: every entry registered under its fixed id, logging at the workers' level."""
import logging

from jobs import periodic


def test_every_periodic_entry_is_registered_under_its_id(app):
    with app.app_context():
        cron = periodic.scheduler()
    assert sorted(job.name for job in cron.get_jobs()) == sorted(entry.id for entry in periodic.PERIODIC)


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
