"""Issue 21, findings 13, 14 and 19: authenticate before validating, refuse bodies no part of
the system can take (too deep, lone surrogates) with a 400, strip strings before checking them."""
import json
import re
import time

import pytest

from models import Appeal
from tests.factories import appeal_body
from tests.webhooks.receivers import make_partner
from webhooks.signing import sign

DEEP = 50_000


def _api_rules(app):
    """Every JSON API operation with a concrete path (ids as 1, names as x)."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<int:[^>]+>", "1", rule.rule)
        path = re.sub(r"<[^>]+>", "x", path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, path


def test_finding_13_every_api_operation_authenticates_before_it_validates(app, client, world):
    """Without a token every operation answers 401 and names no field, whatever the body and query."""
    seen = 0
    for method, path in _api_rules(app):
        response = client.open(path, method=method, query_string={"page": "x", "bogus": "1"},
                               json={"bogus": 1, "appeals": "x", "text": 1})
        body = response.get_json()
        assert response.status_code == 401, (method, path, body)
        assert "errors" not in body, (method, path, body)
        seen += 1
    assert seen > 30


def test_finding_13_a_wrong_role_is_403_before_validation(client, world):
    _, headers = world.user("handler", "市工信局")
    response = client.post("/api/v1/appeals", json={"bogus": 1}, headers=headers)
    assert response.status_code == 403 and "errors" not in response.get_json()


def test_finding_13_a_valid_token_still_gets_the_field_errors(client, world):
    _, headers = world.user("operator")
    response = client.post("/api/v1/appeals", json={"bogus": 1}, headers=headers)
    assert response.status_code == 400 and "bogus" in response.get_json()["errors"]


@pytest.mark.parametrize("token", [False, True])
def test_finding_13_deeply_nested_json_is_a_clear_400(client, world, token):
    headers = world.user("operator")[1] if token else {}
    deep = "[" * DEEP + "]" * DEEP
    response = client.post("/api/v1/appeals", data=deep, content_type="application/json", headers=headers)
    assert response.status_code == (400 if token else 401)
    if token:
        assert "嵌套层数过多" in response.get_json()["message"]
    nested = appeal_body()
    for _ in range(40):  # 40 levels: far beyond any document, far below what breaks the parser
        nested["enterprise"] = {"name": "金昌某某材料有限公司", "x": nested["enterprise"]}
    response = client.post("/api/v1/appeals", json=nested, headers=headers)
    assert response.status_code == (400 if token else 401)


def test_finding_14_lone_surrogate_in_json_is_a_400(client, world, database):
    _, headers = world.user("operator")
    body = json.dumps(appeal_body(text="银行突然不给续贷了，厂子工资发不出来"), ensure_ascii=True)
    body = body.replace("\\u94f6", "\\ud800")  # 银 → a lone high surrogate
    response = client.post("/api/v1/appeals", data=body, content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert "代理项" in response.get_json()["message"]
    assert database.session.query(Appeal).count() == 0


def _signed(client, partner, body: bytes, timestamp: str):
    signature = sign(partner.secret, timestamp, body) if timestamp.isascii() else "0" * 64
    return client.post(f"/webhooks/{partner.slug}/appeals", data=body, content_type="application/json",
                       headers={"X-Webhook-Timestamp": timestamp, "X-Webhook-Signature": "sha256=" + signature})


@pytest.mark.parametrize("timestamp", ["²", "1" * 400, "٣"])
def test_finding_14_webhook_timestamp_that_is_no_unix_time_is_refused_not_500(client, world, timestamp):
    partner = make_partner(world)
    response = _signed(client, partner, b"{}", timestamp)
    assert response.status_code == 401
    assert "时间戳" in response.get_json()["message"]


def test_finding_14_signed_webhook_body_nested_50k_deep_is_a_400(client, world):
    partner = make_partner(world)
    body = ("[" * DEEP + "]" * DEEP).encode()
    response = _signed(client, partner, body, str(int(time.time())))
    assert response.status_code == 400
    assert "嵌套层数过多" in response.get_json()["message"]


def test_finding_14_signed_webhook_body_with_a_lone_surrogate_is_a_400(client, world, database):
    partner = make_partner(world)
    body = b'{"ticket": {"id": "T-1", "content": "\\ud800\\u94f6\\u884c\\u4e0d\\u7ed9\\u7eed\\u8d37"}}'
    response = _signed(client, partner, body, str(int(time.time())))
    assert response.status_code == 400 and "代理项" in response.get_json()["message"]


@pytest.mark.parametrize("start", ["0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00"])
def test_finding_14_open311_start_date_out_of_range_is_a_400(client, world, database, start):
    _, headers = world.user("operator")
    response = client.get("/open311/v2/requests.json", query_string={"start_date": start}, headers=headers)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "日期应在1970年至9000年之间" in json.dumps(response.get_json(), ensure_ascii=False)
    response = client.get("/open311/v2/requests.json", query_string={"end_date": start}, headers=headers)
    assert response.status_code == 400


@pytest.mark.parametrize("where", ["enterprise", "complainant"])
def test_finding_19_whitespace_is_stripped_before_the_length_check(client, world, database, where):
    _, headers = world.user("operator")
    body = appeal_body()
    body[where] = {**body[where], "name": "     "}
    response = client.post("/api/v1/appeals", json=body, headers=headers)
    assert response.status_code == 400, response.get_json()
    assert "name" in response.get_json()["errors"][where]
    assert database.session.query(Appeal).count() == 0


def test_finding_19_padding_does_not_count_toward_the_minimum_length(client, world, database):
    _, headers = world.user("operator")
    response = client.post("/api/v1/appeals", json=appeal_body(text="  求助     "), headers=headers)
    assert response.status_code == 400 and "text" in response.get_json()["errors"]
    response = client.post("/api/v1/appeals", json=appeal_body(city="   "), headers=headers)
    assert response.status_code == 400 and "city" in response.get_json()["errors"]
    ok = client.post("/api/v1/appeals", json=appeal_body(
        enterprise={"name": "  金昌某某材料有限公司  ", "uscc": " 91620300MA71K2Q8LL "}), headers=headers)
    assert ok.status_code == 201
    appeal = database.session.query(Appeal).one()
    assert (appeal.enterprise_name, appeal.enterprise_uscc) == ("金昌某某材料有限公司", "91620300MA71K2Q8LL")
