"""A database that fails at commit time is a 503 with Retry-After, and nothing was stored."""
import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from models import Appeal
from tests.factories import appeal_body


@pytest.fixture
def commit_fails():
    def fail(session):
        if session.info.get("outbox"):  # the intake transaction (it recorded a dispatch job)
            raise OperationalError("COMMIT", {}, ConnectionError("server closed the connection unexpectedly"))

    event.listen(Session, "before_commit", fail)
    yield
    event.remove(Session, "before_commit", fail)


def test_failure_during_commit_is_503_not_500_nor_201(client, world, database, commit_fails):
    _, headers = world.user("operator")
    body = appeal_body()
    response = client.post("/api/v1/appeals", json=body, headers=headers)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["message"] == "系统数据库暂时不可用，本次提交未保存，请稍后重试"
    assert database.session.query(Appeal).filter_by(external_id=body["external_id"]).count() == 0


def test_transaction_lost_with_its_connection_is_503(client, world, monkeypatch):
    from sqlalchemy.exc import PendingRollbackError

    from intake import service

    def lost(*args, **kwargs):
        raise PendingRollbackError("This Session's transaction has been rolled back due to a previous exception")

    _, headers = world.user("operator")
    monkeypatch.setattr(service, "submit", lost)
    response = client.post("/api/v1/appeals", json=appeal_body(), headers=headers)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"


def test_other_driver_error_on_a_lost_connection_is_503_a_bug_is_500(client, world, monkeypatch):
    from sqlalchemy.exc import DatabaseError

    from intake import service

    def fail(invalidated):
        def submit(*args, **kwargs):
            raise DatabaseError("INSERT", {}, Exception("connection lost"), connection_invalidated=invalidated)
        return submit

    _, headers = world.user("operator")
    monkeypatch.setattr(service, "submit", fail(True))
    response = client.post("/api/v1/appeals", json=appeal_body(), headers=headers)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    monkeypatch.setattr(service, "submit", fail(False))
    monkeypatch.setitem(client.application.config, "PROPAGATE_EXCEPTIONS", False)  # a real server answers 500
    assert client.post("/api/v1/appeals", json=appeal_body(), headers=headers).status_code == 500


class _Deadlock(Exception):
    sqlstate = "40P01"


def test_a_read_whose_log_entry_fails_never_claims_a_submission_was_lost(client, world, monkeypatch):
    """Issue 26: reads answered "本次提交未保存" for an appeal that was saved."""
    from workflow import views

    _, headers = world.user("operator")
    number = client.post("/api/v1/appeals", json=appeal_body(), headers=headers).get_json()["number"]

    def deadlock(*args, **kwargs):
        raise OperationalError("INSERT INTO appeal_events", {}, _Deadlock("deadlock detected"))

    monkeypatch.setattr(views, "record", deadlock)
    response = client.get(f"/api/v1/appeals/{number}", headers=headers)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.get_json()["message"] == "系统繁忙，请稍后重试"
