import json
import time

from models import Delivery, Partner, User
from tests.webhooks.receivers import PARTNER_MAPPING, dispatched, make_partner, subscribe
from webhooks.signing import sign

PARTNERS = "/api/v1/admin/partners"
SUBSCRIPTIONS = "/api/v1/admin/subscriptions"


def test_admin_creates_a_partner_that_can_push_at_once(client, world, database):
    _, admin = world.user("admin")
    response = client.post(PARTNERS, json={"slug": "zwfw", "name": "政务服务网", "mapping": PARTNER_MAPPING},
                           headers=admin)
    assert response.status_code == 201
    created = response.get_json()
    assert created["secret"].startswith("whsec_") and created["username"] == "partner-zwfw"
    assert database.session.query(User).filter_by(username="partner-zwfw").one().role == "partner"
    listed = client.get(PARTNERS, headers=admin).get_json()
    assert [p["slug"] for p in listed] == ["zwfw"] and "secret" not in listed[0]
    body = json.dumps({"ticket": {"id": 7, "company": {"name": "金昌某某材料有限公司"},
                                  "contact": {"name": "李女士", "mobile": 13912345678},
                                  "content": "办理施工许可被要求重复提交材料。"}}).encode()
    now = int(time.time())
    pushed = client.post("/webhooks/zwfw/appeals", data=body, content_type="application/json",
                         headers={"X-Webhook-Timestamp": str(now),
                                  "X-Webhook-Signature": "sha256=" + sign(created["secret"], now, body)})
    assert pushed.status_code == 201 and pushed.get_json()["external_id"] == "zwfw:7"


def test_partner_input_is_validated(client, world):
    _, admin = world.user("admin")
    bad = client.post(PARTNERS, json={"slug": "Bad Slug", "name": "x", "mapping": {"fields": {"text": "a..b"}}},
                      headers=admin)
    assert bad.status_code == 400
    errors = bad.get_json()["errors"]
    assert "小写字母" in errors["slug"][0] and "2至64" in errors["name"][0]
    assert "以点分隔" in str(errors["mapping"]["fields"])
    partial = client.post(PARTNERS, json={"slug": "p0", "name": "平台", "mapping": {"fields": {"text": "a.b"}}},
                          headers=admin)
    assert "缺少必需字段的对应关系：external_id、enterprise.name" in partial.get_json()["errors"]["mapping"]["fields"][0]
    unknown = client.post(PARTNERS, json={"slug": "p1", "name": "平台", "mapping": {
        **PARTNER_MAPPING, "fields": {**PARTNER_MAPPING["fields"], "secret_field": "x"}}}, headers=admin)
    assert unknown.status_code == 400 and "未知的诉求字段" in str(unknown.get_json()["errors"])
    client.post(PARTNERS, json={"slug": "p1", "name": "平台", "mapping": PARTNER_MAPPING}, headers=admin)
    again = client.post(PARTNERS, json={"slug": "p1", "name": "平台", "mapping": PARTNER_MAPPING}, headers=admin)
    assert again.status_code == 400 and "已被使用" in again.get_json()["errors"]["slug"][0]


def test_rotation_keeps_the_old_secret_for_the_overlap_and_disable_stops_pushes(client, world, database):
    _, admin = world.user("admin")
    partner = make_partner(world)
    old = partner.secret
    rotated = client.post(f"{PARTNERS}/{partner.slug}/secret", json={"overlap_hours": 2}, headers=admin).get_json()
    database.session.expire_all()
    assert rotated["secret"] != old and partner.secret == rotated["secret"] and partner.previous_secret == old
    assert client.get(f"{PARTNERS}/{partner.slug}", headers=admin).get_json()["previous_valid_until"]
    immediate = client.post(f"{PARTNERS}/{partner.slug}/secret", json={"overlap_hours": 0}, headers=admin)
    database.session.expire_all()
    assert immediate.status_code == 200 and partner.previous_secret == rotated["secret"]
    from webhooks.signing import valid_secrets

    assert valid_secrets(partner) == [immediate.get_json()["secret"]]
    disabled = client.patch(f"{PARTNERS}/{partner.slug}", json={"active": False}, headers=admin)
    assert disabled.get_json()["active"] is False
    assert database.session.get(Partner, partner.id).active is False


def test_only_admins_manage_webhooks(client, world):
    for role in ("operator", "dispatcher", "supervisor", "partner"):
        _, headers = world.user(role)
        assert client.get(PARTNERS, headers=headers).status_code == 403
        assert client.get("/api/v1/admin/deliveries", headers=headers).status_code == 403
    assert client.get(SUBSCRIPTIONS).status_code == 401


def test_subscription_crud(client, world, database):
    _, admin = world.user("admin")
    created = client.post(SUBSCRIPTIONS, json={"url": "https://gxj.example.cn/hooks", "unit": "市工信局",
                                               "event_types": ["appeal.dispatched", "appeal.red"]}, headers=admin)
    assert created.status_code == 201
    body = created.get_json()
    assert body["secret"].startswith("whsec_") and body["unit"] == "市工信局" and body["partner"] is None
    path = f"{SUBSCRIPTIONS}/{body['id']}"
    changed = client.patch(path, json={"event_types": ["appeal.closed"], "active": False}, headers=admin).get_json()
    assert (changed["event_types"], changed["active"]) == (["appeal.closed"], False)
    assert "secret" not in client.get(path, headers=admin).get_json()
    rotated = client.post(f"{path}/secret", json={}, headers=admin).get_json()
    assert rotated["secret"] != body["secret"] and rotated["previous_valid_until"]
    assert client.delete(path, headers=admin).status_code == 204
    assert client.get(path, headers=admin).status_code == 404


def test_subscription_input_is_validated(client, world):
    _, admin = world.user("admin")
    both = client.post(SUBSCRIPTIONS, json={"url": "ftp://x", "unit": "市工信局", "partner": "p",
                                            "event_types": ["appeal.eaten"]}, headers=admin)
    errors = both.get_json()["errors"]
    assert both.status_code == 400 and "http(s)" in errors["url"][0] and "未知事件类型" in str(errors["event_types"])
    neither = client.post(SUBSCRIPTIONS, json={"url": "https://gxj.example.cn/h", "event_types": ["appeal.red"]},
                          headers=admin)
    assert "二者只能选一" in neither.get_json()["errors"]["unit"][0]
    unknown = client.post(SUBSCRIPTIONS, json={"url": "https://gxj.example.cn/h", "unit": "火星局",
                                               "event_types": ["appeal.red"]}, headers=admin)
    assert unknown.get_json()["errors"]["unit"] == ["本市没有单位「火星局」"]


def test_delivery_log_filters_and_redelivery_of_a_dead_letter(client, world, database):
    _, admin = world.user("admin")
    subscription = subscribe(world, "http://127.0.0.1:9/x", "appeal.dispatched", unit="市工信局")
    numbers = [dispatched(world).number for _ in range(2)]
    page = client.get("/api/v1/admin/deliveries", query_string={"appeal": numbers[0]}, headers=admin).get_json()
    assert page["total"] == 1 and page["items"][0]["appeal"] == numbers[0]
    assert client.get("/api/v1/admin/deliveries", query_string={"state": "dead"}, headers=admin).get_json()["total"] == 0
    delivery_id = page["items"][0]["id"]
    assert client.post(f"/api/v1/admin/deliveries/{delivery_id}/redeliver", headers=admin).status_code == 409
    delivery = database.session.get(Delivery, delivery_id)
    delivery.state, delivery.attempts = "dead", delivery.attempt_limit
    database.session.commit()
    redone = client.post(f"/api/v1/admin/deliveries/{delivery_id}/redeliver", headers=admin)
    assert redone.status_code == 202
    body = redone.get_json()
    assert body["state"] == "pending" and body["attempt_limit"] == 2 * body["attempts"]
    assert body["payload"]["appeal"]["number"] == numbers[0]
    detail = client.get(f"/api/v1/admin/deliveries/{delivery_id}", headers=admin).get_json()
    assert detail["attempt_log"] == [] and detail["subscription"] == subscription.id
    assert client.delete(f"{SUBSCRIPTIONS}/{subscription.id}", headers=admin).status_code == 409
