"""The router API: suggestions, model versions, retraining on demand."""
from sqlalchemy import select

from kernel.db import db
from models import OutboxMessage
from routing.jobs import RETRAIN_JOB
from tests.routing.test_service import WAGES, add_appeal, add_table, fresh_cache, install_model  # noqa: F401

SUGGEST = "/api/v1/routing/suggest"


def test_an_operator_gets_the_suggestion_for_a_call_being_typed(world, client):
    row = install_model(world)
    earlier = add_appeal(world)
    _, headers = world.user("operator")
    answer = client.post(SUGGEST, json={"text": WAGES, "uscc": earlier.enterprise_uscc}, headers=headers)
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["lead"], body["manual"], body["model_version"]) == ("市人社局", False, row.version)
    assert body["candidates"][0]["unit"] == "市人社局" and "欠薪" in body["candidates"][0]["matter"]
    assert body["duplicates"] == [{"number": earlier.number, "status": "received"}]


def test_suggest_answers_409_without_a_model_and_400_without_text(world, client):
    _, headers = world.user("dispatcher")
    answer = client.post(SUGGEST, json={"text": WAGES}, headers=headers)
    assert answer.status_code == 409 and answer.get_json()["message"] == "本市尚未训练分拨模型"
    answer = client.post(SUGGEST, json={"uscc": "123"}, headers=headers)
    assert answer.status_code == 400
    assert set(answer.get_json()["errors"]) == {"text", "uscc"}


def test_units_may_not_ask_for_suggestions(world, client):
    install_model(world)
    _, headers = world.user("handler", "市人社局")
    assert client.post(SUGGEST, json={"text": WAGES}, headers=headers).status_code == 403


def test_admins_and_supervisors_list_the_versions(world, client):
    row = install_model(world)
    for role in ("admin", "supervisor"):
        _, headers = world.user(role)
        answer = client.get("/api/v1/routing/models", headers=headers)
        assert answer.status_code == 200
        [version] = answer.get_json()
        assert (version["version"], version["active"], version["units"], version["matters"]) == (row.version, True, 4, 4)
        assert version["scores"] == {"new_top1": None, "old_top1": None} and "blob" not in version
    _, headers = world.user("operator")
    assert client.get("/api/v1/routing/models", headers=headers).status_code == 403


def test_an_admin_asks_for_a_retrain_which_runs_in_the_background(world, client):
    _, headers = world.user("admin")
    assert client.post("/api/v1/routing/models/retrain", headers=headers).status_code == 409  # no table yet
    add_table(world)
    db.session.commit()
    answer = client.post("/api/v1/routing/models/retrain", headers=headers)
    assert answer.status_code == 202 and answer.get_json()["queued"] is True
    again = client.post("/api/v1/routing/models/retrain", headers=headers)
    assert again.status_code == 202 and again.get_json()["queued"] is False
    jobs = db.session.scalars(select(OutboxMessage.args).where(OutboxMessage.job == RETRAIN_JOB)).all()
    assert jobs == [[world.city.id, True]]
    _, headers = world.user("supervisor")
    assert client.post("/api/v1/routing/models/retrain", headers=headers).status_code == 403
