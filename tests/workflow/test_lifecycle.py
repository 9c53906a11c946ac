"""The appeal lifecycle through the API: manual dispatch, the unit's actions, access and masking."""
import pytest

from jobs import outbox
from models import Appeal, OutboxMessage
from tests.factories import appeal_body


@pytest.fixture
def people(world):
    return {
        "operator": world.user("operator")[1],
        "dispatcher": world.user("dispatcher")[1],
        "handler": world.user("handler", unit="市工信局")[1],
        "other_handler": world.user("handler", unit="市市场监管局")[1],
        "supervisor": world.user("supervisor")[1],
    }


def _received(client, people, database):
    number = client.post("/api/v1/appeals", json=appeal_body(), headers=people["operator"]).get_json()["number"]
    message = database.session.query(OutboxMessage).order_by(OutboxMessage.id.desc()).first()
    outbox.run(message.id)
    return number


def test_full_lifecycle_records_every_step(client, people, database):
    number = _received(client, people, database)
    queue = client.get("/api/v1/appeals?queue=dispatch", headers=people["dispatcher"]).get_json()
    assert [a["number"] for a in queue["items"]] == [number] and queue["items"][0]["status"] == "manual"

    assigned = client.post(f"/api/v1/appeals/{number}/assign", headers=people["dispatcher"],
                           json={"lead_unit": "市工信局", "assisting_units": ["市人社局"]})
    assert assigned.status_code == 200
    assert assigned.get_json()["lead_unit"] == "市工信局"
    assert assigned.get_json()["assisting_units"] == ["市人社局"]

    h = people["handler"]
    assert client.post(f"/api/v1/appeals/{number}/accept", json={}, headers=h).status_code == 200
    assert client.post(f"/api/v1/appeals/{number}/contact", json={"note": "已电话联系"}, headers=h).status_code == 200
    assert client.post(f"/api/v1/appeals/{number}/reply", json={"text": "已协调银行续贷。"}, headers=h).status_code == 200
    closed = client.post(f"/api/v1/appeals/{number}/close", json={}, headers=h).get_json()
    assert closed["status"] == "closed" and closed["first_response_at"] and closed["closed_at"]

    events = client.get(f"/api/v1/appeals/{number}", headers=people["supervisor"]).get_json()["events"]
    steps = [(e["action"], e["from_status"], e["to_status"]) for e in events]
    assert steps[:7] == [
        ("receive", None, "received"), ("to_manual", "received", "manual"), ("assign", "manual", "dispatched"),
        ("accept", "dispatched", "accepted"), ("contact", "accepted", "accepted"), ("reply", "accepted", "replied"),
        ("close", "replied", "closed"),
    ]
    assert steps[7][0] == "view_complainant"  # the supervisor's full read is itself on the record
    assert all(e["actor"] for e in events)


def test_invalid_transition_is_409_with_a_message(client, people, database):
    number = _received(client, people, database)
    client.post(f"/api/v1/appeals/{number}/assign", json={"lead_unit": "市工信局"}, headers=people["dispatcher"])
    response = client.post(f"/api/v1/appeals/{number}/close", json={}, headers=people["handler"])
    assert response.status_code == 409 and "不能办结" in response.get_json()["message"]


def test_return_sends_the_appeal_back_to_dispatch_and_hides_it_from_the_unit(client, people, database):
    number = _received(client, people, database)
    client.post(f"/api/v1/appeals/{number}/assign", json={"lead_unit": "市工信局"}, headers=people["dispatcher"])
    assert client.post(f"/api/v1/appeals/{number}/return", json={}, headers=people["handler"]).status_code == 400
    returned = client.post(f"/api/v1/appeals/{number}/return", json={"reason": "属市场监管职责"},
                           headers=people["handler"])
    assert returned.status_code == 200 and returned.get_json()["status"] == "returned"
    assert client.get(f"/api/v1/appeals/{number}", headers=people["handler"]).status_code == 404
    queue = client.get("/api/v1/appeals?queue=dispatch", headers=people["dispatcher"]).get_json()["items"]
    assert [a["number"] for a in queue] == [number]
    reassigned = client.post(f"/api/v1/appeals/{number}/assign", json={"lead_unit": "市市场监管局"},
                             headers=people["dispatcher"])
    assert reassigned.status_code == 200
    assert client.get(f"/api/v1/appeals/{number}", headers=people["other_handler"]).status_code == 200


def test_handler_of_another_unit_gets_404_and_never_sees_the_appeal_in_lists(client, people, database):
    number = _received(client, people, database)
    client.post(f"/api/v1/appeals/{number}/assign", json={"lead_unit": "市工信局"}, headers=people["dispatcher"])
    other = people["other_handler"]
    assert client.get(f"/api/v1/appeals/{number}", headers=other).status_code == 404
    assert client.post(f"/api/v1/appeals/{number}/accept", json={}, headers=other).status_code == 404
    assert client.get("/api/v1/appeals", headers=other).get_json()["total"] == 0


def test_assisting_unit_sees_but_cannot_act(client, people, database, world):
    _, assistant = world.user("handler", unit="市人社局")
    number = _received(client, people, database)
    client.post(f"/api/v1/appeals/{number}/assign", headers=people["dispatcher"],
                json={"lead_unit": "市工信局", "assisting_units": ["市人社局"]})
    assert client.get(f"/api/v1/appeals/{number}", headers=assistant).status_code == 200
    assert client.post(f"/api/v1/appeals/{number}/accept", json={}, headers=assistant).status_code == 403


def test_handler_sees_phone_masked_until_a_logged_disclosure(client, people, database):
    number = _received(client, people, database)
    client.post(f"/api/v1/appeals/{number}/assign", json={"lead_unit": "市工信局"}, headers=people["dispatcher"])
    view = client.get(f"/api/v1/appeals/{number}", headers=people["handler"]).get_json()
    assert view["complainant"] == {"name": "张**", "phone": "138****1234", "masked": True}
    assert "view_complainant" not in [e["action"] for e in view["events"]]
    disclosed = client.post(f"/api/v1/appeals/{number}/disclosures", json={"reason": "需电话联系企业核实情况"},
                            headers=people["handler"]).get_json()
    assert disclosed["complainant"]["phone"] == "13812341234"
    last = database.session.query(Appeal).filter_by(number=number).one().events[-1]
    assert (last.action, last.reason) == ("disclose", "需电话联系企业核实情况")


def test_operator_full_read_is_logged(client, people, database):
    number = _received(client, people, database)
    view = client.get(f"/api/v1/appeals/{number}", headers=people["operator"]).get_json()
    assert view["complainant"]["phone"] == "13812341234"
    assert database.session.query(Appeal).filter_by(number=number).one().events[-1].action == "view_complainant"


def test_lists_are_masked_filtered_and_paginated(client, people, database):
    numbers = [_received(client, people, database) for _ in range(3)]
    page = client.get("/api/v1/appeals?page=2&page_size=2", headers=people["supervisor"]).get_json()
    assert page["total"] == 3 and [a["number"] for a in page["items"]] == [numbers[0]]
    assert page["items"][0]["complainant"]["masked"] is True
    assert client.get("/api/v1/appeals?status=closed", headers=people["supervisor"]).get_json()["total"] == 0
    by_uscc = client.get("/api/v1/appeals?enterprise=91620300MA71K2Q8LL", headers=people["operator"]).get_json()
    assert by_uscc["total"] == 3
    assert client.get("/api/v1/appeals?page_size=1000", headers=people["operator"]).status_code == 400


def test_dispatch_refuses_unknown_or_placeholder_units(client, people, database):
    number = _received(client, people, database)
    unknown = client.post(f"/api/v1/appeals/{number}/assign", json={"lead_unit": "市火星局"},
                          headers=people["dispatcher"])
    assert unknown.status_code == 400 and "市火星局" in unknown.get_json()["errors"]["lead_unit"][0]
    placeholder = client.post(f"/api/v1/appeals/{number}/assign", json={"lead_unit": "各县区"},
                              headers=people["dispatcher"])
    assert placeholder.status_code == 400
    assert client.post(f"/api/v1/appeals/{number}/assign", json={"lead_unit": "市工信局"},
                       headers=people["handler"]).status_code == 403


def test_other_city_sees_nothing(client, people, database):
    from tests.factories import World

    number = _received(client, people, database)
    elsewhere = World(name="新密", code="XM")
    _, foreign_supervisor = elsewhere.user("supervisor")
    assert client.get(f"/api/v1/appeals/{number}", headers=foreign_supervisor).status_code == 404
