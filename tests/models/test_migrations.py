"""The migrations and the models describe the same schema, on whichever backend the run uses."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from tests.factories import appeal_body


def test_migrated_schema_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"render_as_batch": True})
        diff = [d for d in compare_metadata(context, db.metadata)]
    assert diff == []


@pytest.mark.pg_only
def test_event_log_refuses_update_and_delete_in_the_database(world, database, client):
    _, operator = world.user("operator")
    client.post("/api/v1/appeals", json=appeal_body(), headers=operator)
    for statement in ("UPDATE appeal_events SET reason = 'x'", "DELETE FROM appeal_events"):
        with pytest.raises(DBAPIError, match="append-only"):
            with database.session.begin_nested():
                database.session.execute(text(statement))
