"""Open311 GeoReport v2, checked field by field against the spec, in XML and JSON; and the
`georeport` client from PyPI, unmodified, against the app on a real HTTP server."""
import threading
from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest
import requests
from georeport import GeoReport
from sqlalchemy import select, text
from werkzeug.serving import make_server

from kernel.db import db
from models import Appeal
from privacy.crypto import DecryptionError
from sla.service import appeal_clock
from webhooks.open311_formats import document
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


def test_address_string_is_the_appeals_address(client, world, database):
    _, operator = world.user("operator")
    number = _post(client, operator, address_string="金川区新华路1号").get_json()[0]["service_request_id"]
    assert database.session.query(Appeal).filter_by(number=number).one().address == "金川区新华路1号"


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


# The elements of each document, in order, as the spec's XML examples lay them out.
SPEC_SERVICE = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
SPEC_ATTRIBUTE = ["variable", "code", "datatype", "required", "datatype_description", "order", "description"]
SPEC_REQUEST = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]


def xml(response) -> ElementTree.Element:
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8", response.headers["Content-Type"]
    return ElementTree.fromstring(response.content if hasattr(response, "content") else response.data)


def children(element) -> list[str]:
    return [child.tag for child in element]


def test_georeport_client_unmodified_against_the_running_app(live_server, live_world):
    """`georeport` (PyPI) reads services, a definition, lists and single requests in both formats.
    It cannot file requests and never sends api_key; the key rides in its base URL as HTTP Basic
    (requests turns user:password@ into an Authorization header: no key in the request line)."""
    _, operator = live_world.user("operator")
    db.session.remove()
    api_key = key(operator)
    host = live_server.removeprefix("http://")
    # Filing, as the spec lays it out (the client has no call for it): a form POST to requests.xml.
    numbers = []
    for code in ("urgent", "normal", "consult"):
        posted = requests.post(f"{live_server}/requests.xml", data={**FORM, "service_code": code, "api_key": api_key},
                               timeout=5)
        assert posted.status_code == 201
        root = xml(posted)
        assert root.tag == "service_requests" and children(root) == ["request"]
        assert children(root[0]) == ["service_request_id", "service_notice", "account_id"]
        assert root[0].findtext("account_id") == "" and root[0].findtext("service_notice").endswith(root[0][0].text)
        numbers.append(root[0].findtext("service_request_id"))

    anonymous = GeoReport(live_server, jurisdiction="JC")
    with pytest.raises(requests.HTTPError) as refused:
        anonymous.get_service_requests()
    assert refused.value.response.status_code == 403  # reads are private

    for fmt in ("json", "xml"):
        client = GeoReport(f"http://api_key:{api_key}@{host}", jurisdiction="JC", output_format=fmt)
        listed = client.get_service_list()
        assert [s["service_code"] for s in listed] == ["emergency", "urgent", "normal", "consult", "complex"]
        assert all(str(s["metadata"]).lower() == "true" and s["type"] == "realtime" for s in listed)
        definition = client.get_service_definition("urgent")
        attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
        assert [(a["code"], str(a["required"]).lower()) for a in attributes] == [
            ("enterprise_name", "true"), ("enterprise_uscc", "false")]
        found = client.get_service_requests()
        assert [r["service_request_id"] for r in found] == numbers[::-1]
        several = client.get_service_requests(service_code="urgent,consult")
        assert [r["service_request_id"] for r in several] == [numbers[2], numbers[0]]
        single = client.get_service_request(numbers[0])
        assert single["service_request_id"] == numbers[0] and single["service_code"] == "urgent"
        assert single["description"] == FORM["description"] and single["status"] == "open"


def test_every_resource_answers_xml_in_the_spec_layout(client, world, database):
    _, operator = world.user("operator")
    number = _post(client, operator).get_json()[0]["service_request_id"]
    keyed = {"api_key": key(operator)}

    services = xml(client.get("/open311/v2/services.xml"))
    assert services.tag == "services" and set(children(services)) == {"service"}
    assert children(services[0]) == SPEC_SERVICE and services[0].findtext("metadata") == "true"
    definition = xml(client.get("/open311/v2/services/urgent.xml"))
    assert definition.tag == "service_definition" and children(definition) == ["service_code", "attributes"]
    assert [children(a) for a in definition.find("attributes")] == [SPEC_ATTRIBUTE, SPEC_ATTRIBUTE]
    for url in ("/open311/v2/requests.xml", f"/open311/v2/requests/{number}.xml"):
        listed = xml(client.get(url, query_string=keyed))
        assert listed.tag == "service_requests" and children(listed) == ["request"]
        assert children(listed[0]) == SPEC_REQUEST
        assert listed[0].findtext("service_request_id") == number and listed[0].findtext("lat") == ""
    errors = xml(client.get("/open311/v2/requests.xml"))
    assert errors.tag == "errors" and children(errors[0]) == ["code", "description"]
    assert errors[0].findtext("code") == "403" and errors[0].findtext("description") == "api_key 缺失或无效"

    discovery = xml(client.get("/open311/v2/discovery.xml"))
    assert children(discovery) == ["changeset", "contact", "key_service", "endpoints"]
    [endpoint] = discovery.find("endpoints")
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url") == "http://localhost/open311/v2"
    assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]
    as_json = client.get("/open311/v2/discovery.json")
    assert as_json.headers["Content-Type"] == "application/json; charset=utf-8"
    assert as_json.get_json()["endpoints"][0]["formats"] == ["text/xml", "application/json"]


def test_xml_escapes_markup_and_drops_what_xml_cannot_carry():
    data, _ = document([{"service_request_id": "1", "description": '<b>"&amp;\'</b>\x07\ud800'}],
                       "service_requests", "xml", {})
    [request] = ElementTree.fromstring(data)
    assert request.findtext("description") == '<b>"&amp;\'</b>\ufffd\ufffd'


def test_json_declares_its_charset(client, world):
    _, operator = world.user("operator")
    for response in (client.get("/open311/v2/services.json"), _post(client, operator),
                     client.get("/open311/v2/requests.json")):
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"


def test_unrouted_paths_and_wrong_methods_answer_the_georeport_error_list(client):
    missing = client.get("/open311/v2/nothing.json")
    assert missing.status_code == 404 and missing.get_json() == [{"code": 404, "description": "未找到"}]
    assert missing.headers["Content-Type"] == "application/json; charset=utf-8"
    assert xml(client.get("/open311/nothing.xml")).findtext("error/code") == "404"
    wrong = client.delete("/open311/v2/requests.xml")
    assert wrong.status_code == 405 and "POST" in wrong.headers["Allow"]
    assert xml(wrong).findtext("error/description") == "不支持的请求方法"
    assert client.get("/api/v1/nothing").get_json() == {"code": 404, "message": "未找到"}  # the API keeps its shape


def test_a_server_error_is_a_chinese_georeport_error(app, client, world, monkeypatch):
    import webhooks.open311

    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    _, operator = world.user("operator")
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setattr(webhooks.open311, "request_view", broken)
    _post(client, operator)
    failed = client.get("/open311/v2/requests.xml", query_string={"api_key": key(operator)})
    assert failed.status_code == 500
    assert xml(failed).findtext("error/description") == "服务器内部错误"


def test_service_code_takes_a_comma_separated_list(client, world, database):
    _, operator = world.user("operator")
    numbers = {code: _post(client, operator, service_code=code).get_json()[0]["service_request_id"]
               for code in ("normal", "urgent", "consult", "complex")}

    def ids(codes):
        found = client.get("/open311/v2/requests.json", query_string={"api_key": key(operator), "service_code": codes})
        return {r["service_request_id"] for r in found.get_json()}

    assert ids("normal,urgent,consult") == {numbers["normal"], numbers["urgent"], numbers["consult"]}
    assert ids("complex") == {numbers["complex"]}
    assert ids("pothole") == set()


def test_a_complainant_that_cannot_be_decrypted_does_not_fail_the_documents(client, world, database):
    """Open311 shows no complainant data, so it does not load (decrypt) those columns at all."""
    _, operator = world.user("operator")
    broken, sound = (_post(client, operator).get_json()[0]["service_request_id"] for _ in range(2))
    database.session.execute(text("UPDATE appeals SET complainant_name = 'gAAAAABcorrupted' WHERE number = :n"),
                             {"n": broken})
    database.session.expire_all()
    with pytest.raises(DecryptionError):
        _ = database.session.scalar(select(Appeal).where(Appeal.number == broken)).complainant_name
    database.session.expunge_all()
    listed = client.get("/open311/v2/requests.json", query_string={"api_key": key(operator)})
    assert listed.status_code == 200 and {r["service_request_id"] for r in listed.get_json()} == {broken, sound}
    single = client.get(f"/open311/v2/requests/{broken}.xml", query_string={"api_key": key(operator)})
    assert single.status_code == 200 and xml(single).findtext("request/service_request_id") == broken
