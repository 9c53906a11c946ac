"""Issue 21, findings 1 and 20: a channel's external id is idempotent per sender and per city.

A repeat answers with the original appeal only to the sender who stored it; the same id from
another partner, from a partner imitating the hotline, or in another city is another appeal,
and nothing of the first one is disclosed."""
import json
import time

from sqlalchemy import select

from accounts.tokens import issue_token
from kernel.db import db
from models import Appeal
from tests.factories import World, appeal_body
from tests.webhooks.receivers import make_partner
from webhooks.signing import sign

SECRET_TEXT = "甲平台的诉求：厂区围墙被邻居企业推倒，请尽快协调，涉及商业纠纷细节。"


def _post(client, headers, body, batch=False):
    if batch:
        return client.post("/api/v1/appeals/batch", json={"appeals": [body]}, headers=headers)
    return client.post("/api/v1/appeals", json=body, headers=headers)


def _appeal_of(response, batch=False) -> dict:
    body = response.get_json()
    return body["results"][0]["appeal"] if batch else body


def test_issue21_1_a_partner_repeating_another_partners_id_gets_its_own_appeal(client, world, redis_conn):
    _, partner_a = world.user("partner")
    _, partner_b = world.user("partner")
    first = _post(client, partner_a, appeal_body(channel="partner", external_id="T-77", text=SECRET_TEXT))
    assert first.status_code == 201
    for batch in (False, True):
        copied = _post(client, partner_b, appeal_body(channel="partner", external_id="T-77"), batch)
        assert copied.status_code in (200, 201), copied.get_json()
        appeal = _appeal_of(copied, batch)
        assert appeal["number"] != first.get_json()["number"]
        assert SECRET_TEXT not in copied.get_data(as_text=True)
    # Partner B's own repeat is idempotent in B's namespace; A's stays A's.
    assert _post(client, partner_a, appeal_body(channel="partner", external_id="T-77")).get_json()["number"] \
        == first.get_json()["number"]
    assert db.session.scalar(select(Appeal.text).where(Appeal.number == first.get_json()["number"])) == SECRET_TEXT
    redis_conn.flushdb()


def test_issue21_1_a_partner_cannot_claim_the_hotline_channel_nor_read_its_appeal(client, world, redis_conn):
    _, operator = world.user("operator")
    _, partner = world.user("partner")
    call = _post(client, operator, appeal_body(channel="hotline", external_id="call-1", text=SECRET_TEXT))
    for batch in (False, True):
        posed = _post(client, partner, appeal_body(channel="hotline", external_id="call-1"), batch)
        appeal = _appeal_of(posed, batch)
        assert appeal["number"] != call.get_json()["number"] and appeal["channel"] == "partner"
        assert SECRET_TEXT not in posed.get_data(as_text=True)
    channels = db.session.scalars(select(Appeal.channel).order_by(Appeal.id)).all()
    assert channels == ["hotline", "partner"]  # the partner's single and batch copy are one appeal
    redis_conn.flushdb()


def test_issue21_1_a_partner_cannot_read_a_webhook_appeal_of_another_partner(client, world, redis_conn):
    pushed = make_partner(world, "hotline12345")
    body = json.dumps({"ticket": {"id": "T-5", "company": {"name": "金昌某某材料有限公司"},
                                  "contact": {"name": "张先生", "mobile": "13812341234"},
                                  "content": SECRET_TEXT}}, ensure_ascii=False).encode()
    timestamp = int(time.time())
    received = client.post(f"/webhooks/{pushed.slug}/appeals", data=body, content_type="application/json",
                           headers={"X-Webhook-Timestamp": str(timestamp),
                                    "X-Webhook-Signature": "sha256=" + sign(pushed.secret, timestamp, body)})
    assert received.status_code == 201
    _, other = world.user("partner")
    copied = _post(client, other, appeal_body(channel="partner", external_id="hotline12345:T-5"))
    assert copied.status_code == 201 and copied.get_json()["number"] != received.get_json()["number"]
    assert SECRET_TEXT not in copied.get_data(as_text=True)
    # The pushing partner's own API token shares its webhook's namespace: a repeat, not a copy.
    own = {"Authorization": f"Bearer {issue_token(pushed.user)}"}
    db.session.commit()
    again = _post(client, own, appeal_body(channel="partner", external_id="hotline12345:T-5"))
    assert (again.status_code, again.get_json()["number"]) == (200, received.get_json()["number"])
    redis_conn.flushdb()


def test_issue21_20_external_ids_are_unique_per_city_not_across_cities(client, world, redis_conn):
    elsewhere = World(name="嘉峪关", code="JYG")
    _, here = world.user("operator")
    _, there = elsewhere.user("operator")
    first = _post(client, here, appeal_body(external_id="call-9"))
    second = _post(client, there, appeal_body(city="嘉峪关", external_id="call-9"))
    assert (first.status_code, second.status_code) == (201, 201), second.get_json()
    assert second.get_json()["number"].startswith("JYG")
    assert _post(client, there, appeal_body(city="嘉峪关", external_id="call-9")).get_json()["number"] \
        == second.get_json()["number"]
    redis_conn.flushdb()


def test_staff_of_a_city_share_one_namespace(client, world, redis_conn):
    """Two operators logging the same hotline call store it once (they see every appeal of the city)."""
    _, one = world.user("operator")
    _, two = world.user("admin")
    first = _post(client, one, appeal_body(external_id="call-3"))
    again = _post(client, two, appeal_body(external_id="call-3"))
    assert (again.status_code, again.get_json()["number"]) == (200, first.get_json()["number"])
    redis_conn.flushdb()
