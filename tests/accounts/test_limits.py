"""Rate limits: 429 with a Chinese message and Retry-After; Redis down never blocks intake."""
from app import create_app
from tests.factories import appeal_body


def test_intake_over_the_limit_gets_429_per_token(client, world, low_limits):
    _, first = world.user("partner")
    _, second = world.user("partner")
    answers = [client.post("/api/v1/appeals", json=appeal_body(), headers=first) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert "Retry-After" not in answers[0].headers
    refused = client.post("/api/v1/appeals", json=appeal_body(), headers=first)
    assert refused.get_json() == {"code": 429, "message": "请求过于频繁，请稍后再试"}
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert client.post("/api/v1/appeals", json=appeal_body(), headers=second).status_code == 201


def test_other_api_routes_are_not_counted_against_intake(client, world, low_limits):
    _, headers = world.user("operator")
    for _ in range(3):
        assert client.get("/api/v1/appeals", headers=headers).status_code == 200
    assert client.post("/api/v1/appeals", json=appeal_body(), headers=headers).status_code == 201


def test_public_pages_are_limited_per_address(redis_conn):
    public = create_app({"TESTING": True, "PUBLIC_RATE_LIMIT": "2/minute"})
    public.add_url_rule("/m/ping", "ping", lambda: "企业服务")
    client = public.test_client()
    codes = [client.get("/m/ping", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    refused = client.get("/m/ping", environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert "Retry-After" in refused.headers and refused.get_json()["code"] == 429
    assert client.get("/m/ping", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200
    assert all(client.get("/api/openapi.json").status_code == 200 for _ in range(3))
    redis_conn.flushdb()


def test_intake_answers_201_with_redis_down(world, app):
    """Limiter and queue both unreachable: the appeal is stored, the sweep dispatches it later."""
    _, headers = world.user("operator")
    cut_off = create_app({"TESTING": True, "REDIS_URL": "redis://127.0.0.1:1/0", "INTAKE_RATE_LIMIT": "2/minute"})
    client = cut_off.test_client()
    with cut_off.app_context():
        codes = [client.post("/api/v1/appeals", json=appeal_body(), headers=headers).status_code
                 for _ in range(3)]
    # The in-memory fallback still counts, so the limit holds even without Redis.
    assert codes == [201, 201, 429]


def test_behind_a_proxy_the_forwarded_address_is_limited(redis_conn):
    proxied = create_app({"TESTING": True, "PUBLIC_RATE_LIMIT": "1/minute", "PROXY_HOPS": 1})
    proxied.add_url_rule("/m/ping", "ping", lambda: "企业服务")
    client = proxied.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.9"}
    first = client.get("/m/ping", environ_base=proxy, headers={"X-Forwarded-For": "203.0.113.1"})
    other = client.get("/m/ping", environ_base=proxy, headers={"X-Forwarded-For": "203.0.113.2"})
    again = client.get("/m/ping", environ_base=proxy, headers={"X-Forwarded-For": "203.0.113.1"})
    assert (first.status_code, other.status_code, again.status_code) == (200, 200, 429)
    redis_conn.flushdb()


def test_partner_webhooks_are_limited_per_partner_counting_only_signed_pushes(client, world, low_limits):
    from tests.webhooks.receivers import make_partner
    from tests.webhooks.test_webhooks_inbound import post, ticket

    partner, other = make_partner(world, "hotline12345"), make_partner(world, "miniprogram")
    assert post(client, partner, signature="sha256=forged").status_code == 401
    codes = [post(client, partner, ticket(id=f"T-{n}")).status_code for n in range(3)]
    assert codes == [201, 201, 429]
    assert post(client, other).status_code == 201


def test_issue21_16_single_batch_and_webhook_intake_share_one_budget_per_sender(client, world, low_limits, redis_conn):
    """2 appeals a minute: a batch of 2 uses the sender's whole budget at every door."""
    import json
    import time

    from accounts.tokens import issue_token
    from kernel.db import db
    from tests.webhooks.receivers import make_partner
    from webhooks.signing import sign

    _, operator = world.user("operator")
    batch = client.post("/api/v1/appeals/batch", json={"appeals": [appeal_body(), appeal_body()]}, headers=operator)
    assert batch.status_code == 200
    assert client.post("/api/v1/appeals", json=appeal_body(), headers=operator).status_code == 429

    partner = make_partner(world)
    token = {"Authorization": f"Bearer {issue_token(partner.user)}"}
    db.session.commit()
    assert [client.post("/api/v1/appeals", json=appeal_body(external_id=f"p-{n}"), headers=token).status_code
            for n in range(2)] == [201, 201]
    body = json.dumps({"ticket": {"id": "T-1", "company": {"name": "金昌某某材料有限公司"},
                                  "contact": {"name": "张先生", "mobile": "13812341234"},
                                  "content": "银行突然不给续贷了，请帮忙协调。"}}, ensure_ascii=False).encode()
    now = int(time.time())
    pushed = client.post(f"/webhooks/{partner.slug}/appeals", data=body, content_type="application/json",
                         headers={"X-Webhook-Timestamp": str(now),
                                  "X-Webhook-Signature": "sha256=" + sign(partner.secret, now, body)})
    assert pushed.status_code == 429
    # Another sender's budget is untouched.
    _, other = world.user("operator")
    assert client.post("/api/v1/appeals", json=appeal_body(), headers=other).status_code == 201
    redis_conn.flushdb()


def test_an_unreadable_body_does_not_switch_the_limiter_off_redis(client, world, low_limits, redis_conn):
    """The sender is found without reading a body too large to read: an error there would make the
    limiter count in process memory instead of Redis (and flushing Redis would not reset it)."""
    _, headers = world.user("operator")
    oversized = client.post("/api/v1/appeals", data="x" * (300 * 1024), content_type="application/x-www-form-urlencoded")
    assert oversized.status_code in (401, 413)
    assert [client.post("/api/v1/appeals", json=appeal_body(), headers=headers).status_code for _ in range(2)] \
        == [201, 201]
    redis_conn.flushdb()
    assert client.post("/api/v1/appeals", json=appeal_body(), headers=headers).status_code == 201
    redis_conn.flushdb()
