from sqlalchemy import select, update

from intake.service import PROVISIONAL
from models import Appeal, AppealCounter, AppealEvent, OutboxMessage
from tests.factories import appeal_body


def test_operator_submits_appeal_and_gets_number(client, world, database):
    _, headers = world.user("operator")
    response = client.post("/api/v1/appeals", json=appeal_body(), headers=headers)
    assert response.status_code == 201
    body = response.get_json()
    assert body["number"].startswith("JC") and body["status"] == "received"
    appeal = database.session.query(Appeal).filter_by(number=body["number"]).one()
    assert [e.action for e in appeal.events] == ["receive"]
    assert database.session.query(OutboxMessage).count() == 1


def test_numbers_follow_a_daily_sequence(client, world):
    _, headers = world.user("operator")
    numbers = [client.post("/api/v1/appeals", json=appeal_body(), headers=headers).get_json()["number"]
               for _ in range(3)]
    assert [n[-6:] for n in numbers] == ["000001", "000002", "000003"]
    assert len({n[:-6] for n in numbers}) == 1


def test_same_channel_and_external_id_returns_first_appeal(client, world, database):
    _, headers = world.user("operator")
    body = appeal_body(external_id="call-20261122-0001")
    first = client.post("/api/v1/appeals", json=body, headers=headers)
    second = client.post("/api/v1/appeals", json={**body, "text": "另一段文字，但编号相同。"}, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json()["number"] == second.get_json()["number"]
    assert database.session.query(Appeal).count() == 1


def test_same_external_id_on_another_channel_is_another_appeal(client, world):
    _, headers = world.user("operator")
    body = appeal_body(external_id="x-1")
    a = client.post("/api/v1/appeals", json=body, headers=headers).get_json()["number"]
    b = client.post("/api/v1/appeals", json={**body, "channel": "web"}, headers=headers).get_json()["number"]
    assert a != b


def test_traditional_characters_are_kept_as_written(client, world, database):
    _, headers = world.user("operator")
    text = "銀行突然不給續貸了，廠子下個月工資都發不出來"
    number = client.post("/api/v1/appeals", json=appeal_body(text=text), headers=headers).get_json()["number"]
    assert database.session.query(Appeal).filter_by(number=number).one().text == text


def test_each_bad_field_gets_a_chinese_message(client, world):
    _, headers = world.user("operator")
    body = appeal_body(urgency="hot", channel="fax")
    body["enterprise"] = {"name": "金昌某某材料有限公司", "uscc": "91620300MA71K2Q8LA"}
    body["complainant"] = {"name": "张先生", "phone": "12345"}
    del body["text"]
    response = client.post("/api/v1/appeals", json=body, headers=headers)
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert errors["text"] == ["请填写诉求内容"]
    assert "校验位" in errors["enterprise"]["uscc"][0]
    assert "联系电话" in errors["complainant"]["phone"][0]
    assert "紧急程度" in errors["urgency"][0]
    assert "渠道" in errors["channel"][0]


def test_text_over_the_limit_and_unknown_city_are_refused(client, world):
    _, headers = world.user("operator")
    long = client.post("/api/v1/appeals", json=appeal_body(text="长" * 5001), headers=headers)
    assert long.status_code == 400 and "5000" in long.get_json()["errors"]["text"][0]
    city = client.post("/api/v1/appeals", json=appeal_body(city="火星"), headers=headers)
    assert city.status_code == 400 and city.get_json()["errors"]["city"] == ["未知城市「火星」"]


def test_malformed_json_and_oversized_body(client, world):
    _, headers = world.user("operator")
    bad = client.post("/api/v1/appeals", data="{not json", headers={**headers, "Content-Type": "application/json"})
    assert bad.status_code == 400
    huge = client.post("/api/v1/appeals", data="x" * (300 * 1024),
                       headers={**headers, "Content-Type": "application/json"})
    assert huge.status_code == 413


def test_optional_fields_may_be_left_out(client, world):
    _, headers = world.user("operator")
    body = appeal_body()
    del body["external_id"], body["urgency"], body["enterprise"]["uscc"]
    response = client.post("/api/v1/appeals", json=body, headers=headers)
    assert response.status_code == 201 and response.get_json()["urgency"] == "normal"


def test_intake_needs_a_token_of_an_intake_role(client, world):
    assert client.post("/api/v1/appeals", json=appeal_body()).status_code == 401
    bad = client.post("/api/v1/appeals", json=appeal_body(), headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    _, handler = world.user("handler", unit="市工信局")
    assert client.post("/api/v1/appeals", json=appeal_body(), headers=handler).status_code == 403
    _, partner = world.user("partner")
    assert client.post("/api/v1/appeals", json=appeal_body(), headers=partner).status_code == 201


def test_complainant_is_encrypted_at_rest_and_findable_by_hash(client, world, database):
    from sqlalchemy import text

    from privacy.lookup import blind_index

    _, headers = world.user("operator")
    client.post("/api/v1/appeals", json=appeal_body(), headers=headers)
    raw = database.session.execute(text("SELECT complainant_phone, complainant_name FROM appeals")).one()
    assert "13812341234" not in raw[0] and "张先生" not in raw[1]
    found = database.session.query(Appeal).filter_by(
        complainant_phone_hash=blind_index("138 1234 1234", "phone")).one()
    assert found.complainant_phone == "13812341234"


def test_event_log_is_append_only(client, world, database):
    import pytest

    _, headers = world.user("operator")
    client.post("/api/v1/appeals", json=appeal_body(), headers=headers)
    event = database.session.query(AppealEvent).one()
    event.reason = "改写"
    with pytest.raises(RuntimeError, match="append-only"):
        database.session.flush()


def test_the_address_is_optional_and_stored(client, world, database):
    _, headers = world.user("operator")
    number = client.post("/api/v1/appeals", json=appeal_body(address=" 永昌县城关镇北海子路1号 "),
                         headers=headers).get_json()["number"]
    assert database.session.query(Appeal).filter_by(number=number).one().address == "永昌县城关镇北海子路1号"
    too_long = client.post("/api/v1/appeals", json=appeal_body(address="长" * 201), headers=headers)
    assert too_long.status_code == 400 and too_long.get_json()["errors"]["address"] == ["诉求地址应为2至200个字"]


def test_an_appeal_is_never_stored_under_its_provisional_number(client, world, database):
    """Intake inserts the appeal under a provisional number and gives it its real one as the last
    statement before the commit (docs/performance.md): nothing committed keeps the first."""
    _, headers = world.user("partner")
    body = appeal_body(external_id="prov-1")
    assert client.post("/api/v1/appeals", json=body, headers=headers).status_code == 201
    assert client.post("/api/v1/appeals", json=body, headers=headers).status_code == 200
    batch = {"appeals": [appeal_body(), body, appeal_body()]}
    assert client.post("/api/v1/appeals/batch", json=batch, headers=headers).status_code == 200
    numbers = database.session.scalars(select(Appeal.number).order_by(Appeal.id)).all()
    assert len(numbers) == 3
    assert [n[-6:] for n in numbers] == ["000001", "000002", "000003"]
    assert not [n for n in numbers if n.startswith(PROVISIONAL)]


def test_a_day_past_a_million_appeals_keeps_every_digit(client, world, database):
    _, headers = world.user("operator")
    city = world.city
    first = client.post("/api/v1/appeals", json=appeal_body(), headers=headers).get_json()["number"]
    database.session.execute(update(AppealCounter).where(AppealCounter.city_id == city.id).values(last=999_999))
    numbers = [client.post("/api/v1/appeals", json=appeal_body(), headers=headers).get_json()["number"]
               for _ in range(2)]
    assert numbers == [first[:-6] + "1000000", first[:-6] + "1000001"]
