"""Fixtures: one migrated database per run; each test in a transaction rolled back at the end.

The backend comes from TEST_DATABASE_URL (a PostgreSQL URL, or SQLite by default). Tests that
need committed data seen by other processes (workers, races) use `live_db` instead, which
empties the tables afterwards.
"""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import inspect, text

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
_tmp = Path(tempfile.mkdtemp(prefix="appeals-test-"))
TEST_ENV = {
    "DATABASE_URL": os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_tmp / 'test.db'}",
    "REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
    # One queue per backend: a job of the PostgreSQL pass is never taken in the SQLite pass.
    "RQ_QUEUE": "appeals-test-" + ("pg" if os.environ.get("TEST_DATABASE_URL") else "sqlite"),
    "INSTANCE_DIR": str(_tmp / "instance"),
    "APP_ENV": "development",  # fixed test keys, never a production start-up
    "SECRET_KEY": "test-secret",
    "DATA_KEYS": "NzYvdjN3Y3pVb1hHQnRtS3ZkNjB6T0ZGY1N4Y3VxQ2w=",
    "INDEX_KEY": "test-index-key-0123456789abcdef0123456789",
    "OUTBOX_RETRY_AFTER": "1",
}
os.environ.update(TEST_ENV)

from app import create_app  # noqa: E402  (after the environment is set)
from kernel.db import db  # noqa: E402


def pytest_configure(config):
    for marker in ("pg_only: needs PostgreSQL", "live: commits data seen by other processes",
                   "e2e: drives a real browser", "chaos: stops and kills services"):
        config.addinivalue_line("markers", marker)


def pytest_collection_modifyitems(config, items):
    if TEST_ENV["DATABASE_URL"].startswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (TEST_DATABASE_URL)")
    for item in items:
        if "pg_only" in item.keywords:
            item.add_marker(skip)


def _reset_database(app):
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.engine.dispose()
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, check=True,
                   capture_output=True)


@pytest.fixture(scope="session")
def app():
    app = create_app({"TESTING": True})
    _reset_database(app)
    return app


@pytest.fixture(scope="session")
def redis_conn(app):
    from redis import Redis

    conn = Redis.from_url(app.config["REDIS_URL"])
    conn.flushdb()
    return conn


class _TestSession(FlaskSession):
    """Always uses the test's connection, whose outer transaction is rolled back."""

    def get_bind(self, *args, **kwargs):
        return self.bind


@pytest.fixture
def database(app, redis_conn):
    """A transaction around the whole test: the app's commits only release savepoints."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"class_": _TestSession, "bind": connection, "join_transaction_mode": "create_savepoint"}
        )
        try:
            yield db
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()
    redis_conn.flushdb()


@pytest.fixture
def live_db(app, redis_conn):
    """Committed data, visible to other processes; every table is emptied afterwards."""
    with app.app_context():
        yield db
        db.session.remove()
        existing = set(inspect(db.engine).get_table_names())
        tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name in existing]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(text(f"DELETE FROM {table}"))
    redis_conn.flushdb()


@pytest.fixture(autouse=True)
def no_worker_outlives_its_test():
    yield
    from tests.jobs.helpers import stop_workers

    stop_workers()


@pytest.fixture
def client(app):
    return app.test_client()


class _LiveClient(FlaskClient):
    """Requests share the test's app context (Flask reuses it), so end their session as the
    real teardown would: otherwise a lingering transaction holds SQLite's write lock."""

    def open(self, *args, **kwargs):
        try:
            return super().open(*args, **kwargs)
        finally:
            db.session.remove()


@pytest.fixture
def live_client(app, live_db):
    app.test_client_class = _LiveClient
    try:
        yield app.test_client()
    finally:
        app.test_client_class = FlaskClient


from tests.factories import *  # noqa: E402,F401,F403  (fixtures shared by every package's tests)
