"""Security headers on every response, payload size limit."""
from tests.factories import appeal_body


def _assert_headers(response):
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_headers_on_success_and_error_responses(client, world):
    _, headers = world.user("operator")
    _assert_headers(client.get("/api/openapi.json"))
    _assert_headers(client.get("/no-such-page"))
    _assert_headers(client.post("/api/v1/appeals", json=appeal_body(), headers=headers))
    _assert_headers(client.post("/api/v1/appeals", json={}, headers=headers))


def test_body_over_256_kib_is_refused_in_chinese(client, world):
    _, headers = world.user("partner")
    body = appeal_body(text="长" * 100_000)
    response = client.post("/api/v1/appeals", json=body, headers=headers)
    assert response.status_code == 413
    assert response.get_json()["message"] == "提交的内容过大"
    _assert_headers(response)
