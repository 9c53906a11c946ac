"""What one single-appeal request asks of PostgreSQL: intake's hot path, measured by bench/intake.py."""
import pytest
from sqlalchemy import event

from tests.factories import appeal_body


@pytest.fixture
def statements(database):
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            seen.append(" ".join(statement.split()[:3]))

    engine = database.engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_one_appeal_is_one_token_lookup_three_inserts_and_its_number(client, world, statements, database):
    """The rate limit and the authentication share the token's lookup, and the 201 answer is built
    from what was written: a column left out of intake.service.NEW_APPEAL is one more SELECT. The
    number comes last (the city's counter row is locked from then to the commit): on PostgreSQL
    one statement with the counter's upsert, elsewhere the upsert and an UPDATE."""
    _, headers = world.user("partner")
    statements.clear()
    response = client.post("/api/v1/appeals", json=appeal_body(external_id="p-1"), headers=headers)
    assert response.status_code == 201
    numbering = ["WITH"] if database.engine.dialect.name == "postgresql" else ["INSERT", "UPDATE"]
    assert [s.split()[0] for s in statements] == ["SELECT", "INSERT", "INSERT", "INSERT", *numbering]
    assert statements[0].startswith("SELECT users.id")
    assert statements[1].startswith("INSERT INTO appeals")
