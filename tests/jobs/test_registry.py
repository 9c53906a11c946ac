"""Jobs under registered names: every stored name resolves; an unknown one fails loudly; the
migration renames queued rows."""
import os
import sqlite3
import subprocess
import sys

import pytest

from intake.service import DISPATCH_JOB
from jobs import outbox, periodic, registry
from models import OutboxMessage
from routing.jobs import RETRAIN_JOB
from tests.conftest import ROOT
from webhooks.events import FIRST_ATTEMPT_JOB


def test_every_periodic_and_queued_job_name_resolves(app):
    queued = [DISPATCH_JOB, RETRAIN_JOB, FIRST_ATTEMPT_JOB]
    for name in queued + [entry.job for entry in periodic.PERIODIC]:
        assert callable(registry.resolve(name).function), name
        assert "." not in name, f"{name}: a name, not an import path"


def test_an_unknown_name_fails_loudly_and_leaves_the_message_pending_with_its_error(app, database):
    with pytest.raises(registry.UnknownJob, match="routing.dispatch.dispatch_appeal"):
        registry.resolve("routing.dispatch.dispatch_appeal")
    message_id = outbox.add("no_such_job", 1)
    database.session.commit()
    outbox.run(message_id)  # recorded on the message (and logged), not raised
    message = database.session.get(OutboxMessage, message_id)
    assert message.done_at is None and message.attempts == 1
    assert message.last_error.startswith("UnknownJob") and "no_such_job" in message.last_error


def test_a_name_cannot_be_taken_by_another_function():
    with pytest.raises(ValueError, match="already registered"):
        registry.register(DISPATCH_JOB)(lambda appeal_id: None)


def test_migration_renames_queued_rows_and_back(tmp_path):
    path = tmp_path / "outbox.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}

    def flask_db(*args):
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", *args], cwd=ROOT, env=env, check=True,
                       capture_output=True)

    def jobs():
        with sqlite3.connect(path) as conn:
            return conn.execute("SELECT job FROM outbox ORDER BY id").fetchall()

    flask_db("upgrade", "67e1c0de0012")
    with sqlite3.connect(path) as conn:
        conn.executemany("INSERT INTO outbox (job, args, created_at, done_at) VALUES (?, '[1]', '2026-12-01', ?)",
                         [("routing.dispatch.dispatch_appeal", None), ("routing.jobs.retrain_city", None),
                          ("webhooks.delivery.enqueue_first", None),
                          ("routing.dispatch.dispatch_appeal", "2026-12-01")])  # done: kept as it was
    flask_db("upgrade", "87e1c0de0014")
    assert jobs() == [("dispatch_appeal",), ("retrain_city",), ("webhook_first_attempt",),
                      ("routing.dispatch.dispatch_appeal",)]
    flask_db("downgrade", "67e1c0de0012")
    assert jobs() == [("routing.dispatch.dispatch_appeal",), ("routing.jobs.retrain_city",),
                      ("webhooks.delivery.enqueue_first",), ("routing.dispatch.dispatch_appeal",)]
