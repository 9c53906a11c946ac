"""The scene undoes each request completely, so the fuzzers may send as many as they like."""
import pytest
from sqlalchemy import text

from tests.security.scene import build_scene

XID_LOCKS = text("SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'transactionid'")


@pytest.mark.pg_only
def test_requests_through_the_scene_leave_no_row_and_no_lock_behind(app, database, redis_conn):
    scene = build_scene(app)

    def put_override(day: str) -> None:
        response = scene.send("admin", "PUT", "/api/v1/sla/calendar/overrides", json={"day": day, "working": False})
        assert response.status_code == 200

    put_override("2000-01-01")  # the first write gives the scene's open savepoint its transaction id
    locks = scene.connection.execute(XID_LOCKS).scalar()
    for day in ("2000-01-02", "2000-01-03", "2000-01-04"):
        put_override(day)
    assert scene.connection.execute(XID_LOCKS).scalar() == locks
    assert scene.connection.execute(text("SELECT count(*) FROM sla_calendar_days WHERE day < '2001-01-01'")).scalar() == 0
