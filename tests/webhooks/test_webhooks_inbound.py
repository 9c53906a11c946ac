import json
import threading
import time
from datetime import timedelta

import pytest
import requests

from kernel.db import db
from models import Appeal
from models.base import utcnow
from tests.webhooks.receivers import make_partner, serve
from webhooks.signing import rotate, sign

TICKET = {"ticket": {"id": "T-1001", "company": {"name": "金昌某某材料有限公司", "credit_code": "91620300MA71K2Q8LL"},
                     "contact": {"name": "张先生", "mobile": "13812341234"},
                     "content": "银行突然不给续贷了，厂子下个月工资都发不出来，请帮忙协调。", "level": "2"}}


def post(client, partner, payload=TICKET, secret=None, timestamp=None, body=None, signature=None):
    body = body if body is not None else json.dumps(payload, ensure_ascii=False).encode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = signature or "sha256=" + sign(secret or partner.secret, timestamp, body)
    return client.post(f"/webhooks/{partner.slug}/appeals", data=body, content_type="application/json",
                       headers={"X-Webhook-Timestamp": str(timestamp), "X-Webhook-Signature": signature})


def ticket(**changes):
    return {"ticket": {**TICKET["ticket"], **changes}}


def test_signed_push_is_received_as_a_partner_appeal(client, world, database):
    partner = make_partner(world)
    response = post(client, partner)
    assert response.status_code == 201
    body = response.get_json()
    assert body["external_id"] == "hotline12345:T-1001" and body["status"] == "received"
    appeal = database.session.query(Appeal).filter_by(number=body["number"]).one()
    assert (appeal.channel, appeal.urgency, appeal.created_by_id) == ("partner", "urgent", partner.user_id)
    assert (appeal.complainant_phone, appeal.enterprise_uscc) == ("13812341234", "91620300MA71K2Q8LL")


def test_a_retry_of_the_same_partner_id_returns_the_original_appeal(client, world, database):
    partner = make_partner(world)
    first = post(client, partner, timestamp=int(time.time()) - 5)
    again = post(client, partner, ticket(content="重发的同一件诉求，内容略有不同。"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["number"] == again.get_json()["number"]
    assert database.session.query(Appeal).count() == 1


def test_two_partners_ids_never_collide(client, world, database):
    one, two = make_partner(world, "hotline12345"), make_partner(world, "miniprogram")
    numbers = {post(client, p).get_json()["number"] for p in (one, two)}
    assert len(numbers) == 2
    assert {a.external_id for a in database.session.query(Appeal)} == {"hotline12345:T-1001", "miniprogram:T-1001"}


def test_bad_signature_is_401(client, world):
    partner = make_partner(world)
    wrong = post(client, partner, secret="whsec_not-the-secret")
    assert wrong.status_code == 401 and "签名无效" in wrong.get_json()["message"]
    tampered = post(client, partner, signature="sha256=" + sign(partner.secret, int(time.time()), b"{}"))
    assert tampered.status_code == 401
    assert post(client, partner, signature="no-scheme").status_code == 401


@pytest.mark.parametrize("offset", [-301, 301, -3600])
def test_timestamp_more_than_five_minutes_off_is_401(client, world, offset):
    partner = make_partner(world)
    response = post(client, partner, timestamp=int(time.time()) + offset)
    assert response.status_code == 401 and "5分钟" in response.get_json()["message"]


def test_timestamp_within_the_window_is_accepted(client, world):
    partner = make_partner(world)
    assert post(client, partner, timestamp=int(time.time()) - 290).status_code == 201


def test_missing_or_malformed_timestamp_is_401(client, world):
    partner = make_partner(world)
    body = json.dumps(TICKET).encode()
    response = client.post(f"/webhooks/{partner.slug}/appeals", data=body, content_type="application/json",
                           headers={"X-Webhook-Signature": "sha256=" + sign(partner.secret, 0, body)})
    assert response.status_code == 401 and "时间戳" in response.get_json()["message"]
    assert post(client, partner, signature=None, timestamp="12x").status_code == 401


def test_replayed_request_is_409(client, world, database):
    partner = make_partner(world)
    timestamp = int(time.time())
    assert post(client, partner, timestamp=timestamp).status_code == 201
    replay = post(client, partner, timestamp=timestamp)
    assert replay.status_code == 409 and "重放" in replay.get_json()["message"]
    assert database.session.query(Appeal).count() == 1


def test_unknown_partner_is_404_and_disabled_partner_403(client, world, database):
    partner = make_partner(world)
    response = client.post("/webhooks/nobody/appeals", data=b"{}", content_type="application/json")
    assert response.status_code == 404 and "nobody" in response.get_json()["message"]
    partner.active = False
    database.session.commit()
    assert post(client, partner).status_code == 403


def test_mapping_errors_name_the_partners_fields(client, world, database):
    partner = make_partner(world)
    payload = ticket(contact={"name": "张先生", "mobile": "12345"}, level="9", content=None)
    del payload["ticket"]["company"]
    response = post(client, partner, payload)
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert "联系电话" in errors["ticket.contact.mobile"][0]
    assert "不在约定范围" in errors["ticket.level"][0]
    assert errors["ticket.content"] == ["请填写诉求内容"]
    assert errors["ticket.company.name"] == ["请填写企业名称"]
    assert database.session.query(Appeal).count() == 0


def test_a_refused_request_does_not_use_up_its_nonce(client, world):
    partner = make_partner(world)
    timestamp, payload = int(time.time()), ticket(content="短")
    assert post(client, partner, payload, timestamp=timestamp).status_code == 400
    assert post(client, partner, payload, timestamp=timestamp).status_code == 400


def test_body_that_is_not_json_is_400(client, world):
    partner = make_partner(world)
    response = post(client, partner, body=b"{not json")
    assert response.status_code == 400 and "JSON" in response.get_json()["message"]
    assert post(client, partner, body=b"[1, 2]").get_json()["errors"] == {"_schema": ["请求体应为 JSON 对象"]}


def test_previous_secret_is_valid_during_the_overlap_only(client, world, database):
    partner = make_partner(world)
    old = partner.secret
    rotate(partner, timedelta(hours=1))
    database.session.commit()
    assert post(client, partner, ticket(id="A"), secret=old).status_code == 201
    assert post(client, partner, ticket(id="B")).status_code == 201
    partner.previous_valid_until = utcnow() - timedelta(seconds=1)
    database.session.commit()
    assert post(client, partner, ticket(id="C"), secret=old).status_code == 401


def test_without_redis_replays_cannot_be_checked_so_the_push_waits(client, world, database, monkeypatch):
    from redis import Redis

    partner = make_partner(world)
    dead = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    monkeypatch.setattr("webhooks.inbound.redis_connection", lambda: dead)
    response = post(client, partner)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert database.session.query(Appeal).count() == 0


@pytest.mark.pg_only
def test_concurrent_pushes_of_one_partner_id_store_one_appeal(app, live_world):
    partner = make_partner(live_world)
    slug, secret = partner.slug, partner.secret
    db.session.remove()
    answers = []
    barrier = threading.Barrier(6)

    def push(i):
        body = json.dumps(ticket(content=f"同一件诉求的第{i}次推送，内容略有不同。"), ensure_ascii=False).encode()
        now = int(time.time())
        barrier.wait()
        answers.append(requests.post(f"{base}/webhooks/{slug}/appeals", data=body, timeout=10, headers={
            "Content-Type": "application/json", "X-Webhook-Timestamp": str(now),
            "X-Webhook-Signature": "sha256=" + sign(secret, now, body)}))

    with serve(app) as base:
        threads = [threading.Thread(target=push, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(a.status_code for a in answers) == [200] * 5 + [201]
    assert len({a.json()["number"] for a in answers}) == 1
    assert db.session.query(Appeal).count() == 1
    db.session.remove()


@pytest.mark.parametrize("bad_id", [{"x": 1}, True, ["T-1"], 1.5])
def test_issue21_23_a_non_scalar_partner_id_is_refused(client, world, database, bad_id):
    partner = make_partner(world)
    response = post(client, partner, ticket(id=bad_id))
    assert response.status_code == 400
    assert response.get_json()["errors"]["ticket.id"] == ["应为文字或整数，不能是对象、列表、布尔值或小数"]
    assert database.session.query(Appeal).count() == 0


def test_an_integer_partner_id_is_kept_as_its_digits(client, world):
    response = post(client, make_partner(world), ticket(id=1001))
    assert response.status_code == 201 and response.get_json()["external_id"] == "hotline12345:1001"
