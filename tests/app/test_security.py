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


def test_api_answers_with_personal_data_are_not_stored(client, world):
    """Issue 21, finding 22: API answers carried no Cache-Control, so browsers and proxies could
    keep appeals and complainant data."""
    _, headers = world.user("operator")
    client.post("/api/v1/appeals", json=appeal_body(), headers=headers)
    for response in (client.get("/api/v1/appeals", headers=headers), client.get("/api/v1/appeals"),
                     client.get("/open311/v2/requests.json", headers=headers)):
        assert response.headers["Cache-Control"] == "no-store", response.status_code


def test_the_sqlite_file_and_instance_folder_are_private(tmp_path, monkeypatch):
    """Issue 21, finding 22: the SQLite file was created world-readable (0644)."""
    from app import create_app
    from kernel import settings

    instance = tmp_path / "instance"
    monkeypatch.setattr(settings, "INSTANCE_DIR", instance)
    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'appeals.db'}"})
    assert (instance / "appeals.db").stat().st_mode & 0o777 == 0o600
    assert instance.stat().st_mode & 0o777 == 0o700
