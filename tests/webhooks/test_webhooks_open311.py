"""Open311 GeoReport v2, checked field by field against the spec (JSON format)."""
import threading
from datetime import datetime, timedelta

import pytest
import requests
from werkzeug.serving import make_server

from app.extensions import db
from models import Appeal
from sla.service import appeal_clock
from workflow.transitions import dispatch, perform, to_manual

SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}
FORM = {"service_code": "urgent", "description": "园区道路施工堵住了厂区大门，货车进不来，请协调。",
        "first_name": "先生", "last_name": "张", "phone": "13812341234",
        "attribute[enterprise_name]": "金昌某某材料有限公司", "attribute[enterprise_uscc]": "91620300MA71K2Q8LL",
        "lat": "38.52", "long": "102.19", "email": "zhang@example.com", "device_id": "tool-1"}


def w3c(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value
    return parsed


def key(headers: dict) -> str:
    return headers["Authorization"].split(" ", 1)[1]


@pytest.fixture
def live_server(app, live_db):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/open311/v2"
    server.shutdown()


def test_client_sequence_services_post_get_against_the_running_app(live_server, live_world):
    _, operator = live_world.user("operator")
    db.session.remove()
    api_key = key(operator)

    services = requests.get(f"{live_server}/services.json", params={"jurisdiction_id": "JC"}, timeout=5)
    assert services.status_code == 200 and services.headers["Content-Type"].startswith("application/json")
    listed = services.json()
    assert all(set(s) == SERVICE_FIELDS and s["type"] == "realtime" and s["metadata"] is True for s in listed)
    codes = [s["service_code"] for s in listed]
    assert codes == ["emergency", "urgent", "normal", "consult", "complex"]
    definition = requests.get(f"{live_server}/services/urgent.json", timeout=5).json()
    assert definition["service_code"] == "urgent"
    assert [(a["code"], a["required"], a["datatype"]) for a in definition["attributes"]] == [
        ("enterprise_name", True, "string"), ("enterprise_uscc", False, "string")]

    posted = requests.post(f"{live_server}/requests.json", data={**FORM, "api_key": api_key}, timeout=5)
    assert posted.status_code == 201
    [created] = posted.json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    number = created["service_request_id"]
    assert number.startswith("JC") and number in created["service_notice"]

    fetched = requests.get(f"{live_server}/requests/{number}.json", params={"api_key": api_key}, timeout=5)
    assert fetched.status_code == 200
    [item] = fetched.json()
    assert set(item) == REQUEST_FIELDS
    assert item["service_request_id"] == number and item["status"] == "open"
    assert (item["service_code"], item["service_name"]) == ("urgent", "加急")
    assert item["description"] == FORM["description"]
    assert item["agency_responsible"] is None and item["expected_datetime"] is None
    assert abs(w3c(item["requested_datetime"]) - datetime.now().astimezone()) < timedelta(minutes=1)
    w3c(item["updated_datetime"])

    stored = db.session.query(Appeal).filter_by(number=number).one()
    assert (stored.channel, stored.complainant_name, stored.complainant_phone) == ("partner", "张先生", "13812341234")
    assert (stored.enterprise_name, stored.enterprise_uscc) == ("金昌某某材料有限公司", "91620300MA71K2Q8LL")


def _post(client, headers, **changes):
    return client.post("/open311/v2/requests.json", data={**FORM, "api_key": key(headers), **changes})


def test_dispatched_request_names_the_lead_unit_and_the_completion_deadline(client, world, database):
    _, operator = world.user("operator")
    number = _post(client, operator).get_json()[0]["service_request_id"]
    appeal = database.session.query(Appeal).filter_by(number=number).one()
    to_manual(appeal, "测试")
    dispatch(appeal, world.units["市工信局"], [], world.user("dispatcher")[0])
    database.session.commit()
    [item] = client.get(f"/open311/v2/requests/{number}.json", query_string={"api_key": key(operator)}).get_json()
    assert item["agency_responsible"] == "市工信局" and item["status_notes"] == "已派单"
    due = appeal_clock(appeal)["due"]
    assert due is not None and w3c(item["expected_datetime"]) == due.replace(microsecond=0)


def test_closed_appeal_is_closed_and_filters_follow_the_spec(client, world, database):
    _, operator = world.user("operator")
    numbers = [_post(client, operator, service_code=code).get_json()[0]["service_request_id"]
               for code in ("urgent", "normal", "normal")]
    appeal = database.session.query(Appeal).filter_by(number=numbers[2]).one()
    handler = world.user("handler", unit="市工信局")[0]
    to_manual(appeal, "测试")
    dispatch(appeal, world.units["市工信局"], [], world.user("dispatcher")[0])
    for action, reason in (("accept", None), ("reply", "已协调施工方让出通道"), ("close", None)):
        perform(appeal, action, handler, reason=reason)
    database.session.commit()

    def ids(**params):
        response = client.get("/open311/v2/requests.json", query_string={"api_key": key(operator), **params})
        assert response.status_code == 200
        return [r["service_request_id"] for r in response.get_json()]

    assert ids() == numbers[::-1]
    assert ids(status="closed") == [numbers[2]]
    assert ids(status="open") == numbers[1::-1]
    assert ids(service_code="normal") == numbers[:0:-1]
    assert ids(service_request_id=f"{numbers[0]},{numbers[2]}", status="open") == [numbers[2], numbers[0]]
    assert ids(start_date=(datetime.now().astimezone() + timedelta(hours=1)).isoformat()) == []
    assert ids(end_date=(datetime.now().astimezone() - timedelta(days=1)).isoformat()) == []


def test_roles_see_only_their_appeals(client, world, database):
    _, operator = world.user("operator")
    partner, partner_headers = world.user("partner")
    mine = _post(client, partner_headers).get_json()[0]["service_request_id"]
    theirs = _post(client, operator).get_json()[0]["service_request_id"]
    seen = client.get("/open311/v2/requests.json", query_string={"api_key": key(partner_headers)}).get_json()
    assert [r["service_request_id"] for r in seen] == [mine]
    hidden = client.get(f"/open311/v2/requests/{theirs}.json", query_string={"api_key": key(partner_headers)})
    assert hidden.status_code == 404 and hidden.get_json()[0]["code"] == 404
    _, handler = world.user("handler", unit="市人社局")
    assert client.get("/open311/v2/requests.json", headers=handler).get_json() == []


def test_errors_are_a_list_of_code_and_description(client, world):
    _, operator = world.user("operator")
    no_key = client.post("/open311/v2/requests.json", data=FORM)
    assert no_key.status_code == 403 and no_key.get_json() == [{"code": 403, "description": "api_key 缺失或无效"}]
    _, handler = world.user("handler", unit="市工信局")
    assert _post(client, handler).status_code == 403
    bad = _post(client, operator, service_code="pothole")
    assert bad.status_code == 400 and "pothole" in bad.get_json()[0]["description"]
    missing = client.post("/open311/v2/requests.json", data={"api_key": key(operator), "service_code": "normal"})
    assert missing.status_code == 400
    described = {e["description"].split(":")[0] for e in missing.get_json()}
    assert {"description", "last_name", "phone", "attribute[enterprise_name]"} <= described
    assert all(e["code"] == 400 for e in missing.get_json())
    no_service = client.post("/open311/v2/requests.json", data={"api_key": key(operator)})
    assert no_service.status_code == 400 and "service_code" in no_service.get_json()[0]["description"]
    assert client.get("/open311/v2/requests.json").status_code == 403
    other_city = client.get("/open311/v2/requests.json", query_string={"api_key": key(operator), "jurisdiction_id": "XX"})
    assert other_city.status_code == 404
    assert client.get("/open311/v2/services/pothole.json").status_code == 404


def test_address_is_kept_in_the_text(client, world, database):
    _, operator = world.user("operator")
    number = _post(client, operator, address_string="金川区新华路1号").get_json()[0]["service_request_id"]
    assert database.session.query(Appeal).filter_by(number=number).one().text.endswith("（地址：金川区新华路1号）")


def test_app_wide_errors_are_a_list_too_with_retry_after(client, world, database, low_limits):
    _, operator = world.user("operator")
    codes = [_post(client, operator).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    refused = _post(client, operator)
    assert refused.get_json() == [{"code": 429, "description": "请求过于频繁，请稍后再试"}]
    assert int(refused.headers["Retry-After"]) >= 1


def test_a_database_outage_is_a_503_list(client, world, database, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from intake import service

    def lost(*args, **kwargs):
        raise OperationalError("INSERT", {}, ConnectionError("server closed the connection unexpectedly"))

    _, operator = world.user("operator")
    monkeypatch.setattr(service, "submit", lost)
    response = _post(client, operator)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.get_json() == [{"code": 503, "description": "系统数据库暂时不可用，本次提交未保存，请稍后重试"}]
