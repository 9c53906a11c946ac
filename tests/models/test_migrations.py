"""The migrations and the models describe the same schema, on whichever backend the run uses."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from kernel.db import db
from tests.factories import appeal_body


def test_migrated_schema_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"render_as_batch": True})
        diff = list(compare_metadata(context, db.metadata))
    assert diff == []


@pytest.mark.pg_only
def test_event_log_refuses_update_and_delete_in_the_database(world, database, client):
    _, operator = world.user("operator")
    client.post("/api/v1/appeals", json=appeal_body(), headers=operator)
    for statement in ("UPDATE appeal_events SET reason = 'x'", "DELETE FROM appeal_events"):
        with pytest.raises(DBAPIError, match="append-only"), database.session.begin_nested():
            database.session.execute(text(statement))


def test_issue21_1_migration_keeps_every_appeal_in_its_creators_namespace(tmp_path):
    """0007 on a database with appeals: each row kept, its namespace taken from its creator."""
    import os
    import sqlite3
    import subprocess
    import sys

    from tests.conftest import ROOT

    path = tmp_path / "before.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}

    def upgrade(revision):
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade", revision], cwd=ROOT,
                       env=env, check=True, capture_output=True)

    def insert(conn, table, **values):
        for _, name, kind, notnull, default, pk in conn.execute(f"PRAGMA table_info({table})").fetchall():
            if notnull and not pk and default is None and name not in values:
                kind = kind.upper()
                values[name] = (0 if "BOOL" in kind else 1 if "INT" in kind else "{}" if "JSON" in kind
                                else "2026-11-01 00:00:00.000000" if "DATE" in kind else "x")
        conn.execute(f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                     list(values.values()))

    upgrade("0a6e1c5d2f31")
    with sqlite3.connect(path) as conn:
        insert(conn, "cities", id=1, name="金昌", code="JC")
        insert(conn, "users", id=7, username="partner", role="partner", city_id=1)
        insert(conn, "users", id=8, username="operator", role="operator", city_id=1)
        rows = [(7, "hotline", "call-1"), (7, "partner", "call-1"), (8, "hotline", "call-2"), (None, "miniprogram", "m-1")]
        for n, (creator, channel, external_id) in enumerate(rows):
            insert(conn, "appeals", number=f"JC-{n}", city_id=1, created_by_id=creator, channel=channel,
                   external_id=external_id)
    upgrade("head")
    with sqlite3.connect(path) as conn:
        stored = conn.execute("SELECT number, sender FROM appeals ORDER BY number").fetchall()
    assert stored == [("JC-0", "partner:7"), ("JC-1", "partner:7"), ("JC-2", "staff"), ("JC-3", "public")]
