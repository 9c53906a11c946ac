from sqlalchemy import select

from accounts.tokens import hash_token
from models import ApiToken, User
from models.base import utcnow


def test_users_create_prints_a_token_that_works(app, world, database, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--role", "handler", "--unit", "市工信局", "--city", "金昌",
                                 "wang"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    user = database.session.query(User).filter_by(username="wang").one()
    assert user.unit.name == "市工信局"
    stored = database.session.query(ApiToken).filter_by(user_id=user.id).one()
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    assert client.get("/api/v1/appeals", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_users_create_refuses_bad_combinations(app, world):
    runner = app.test_cli_runner()
    no_unit = runner.invoke(args=["users", "create", "--role", "handler", "--city", "金昌", "li"])
    assert no_unit.exit_code != 0 and "绑定一个单位" in no_unit.output
    unit_for_operator = runner.invoke(args=["users", "create", "--role", "operator", "--unit", "市工信局",
                                            "--city", "金昌", "zhao"])
    assert unit_for_operator.exit_code != 0
    unknown_city = runner.invoke(args=["users", "create", "--role", "operator", "--city", "火星", "qian"])
    assert unknown_city.exit_code != 0 and "未知城市" in unknown_city.output


def test_expired_and_revoked_tokens_are_refused(world, database, client):
    from datetime import timedelta

    from models.base import utcnow

    user, headers = world.user("operator")
    token = database.session.query(ApiToken).filter_by(user_id=user.id).one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    database.session.commit()
    assert client.get("/api/v1/appeals", headers=headers).status_code == 401
    token.expires_at, token.revoked_at = None, utcnow()
    database.session.commit()
    assert client.get("/api/v1/appeals", headers=headers).status_code == 401


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_tokens_are_created_listed_and_revoked_from_the_command_line(app, world, database, client):
    """Issue 21, finding 17: tokens could not be listed, revoked or given an expiry."""
    runner = app.test_cli_runner()
    user, headers = world.user("partner")
    made = runner.invoke(args=["tokens", "create", "--label", "生产环境", "--days", "30", user.username])
    assert made.exit_code == 0, made.output
    token = made.output.strip()
    assert client.get("/api/v1/appeals", headers=_bearer(token)).status_code == 200
    stored = database.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    assert 29 <= (stored.expires_at - utcnow()).days <= 30

    listed = runner.invoke(args=["tokens", "list", "--user", user.username])
    assert listed.exit_code == 0 and len(listed.output.splitlines()) == 2
    assert "生产环境" in listed.output and "有效" in listed.output and token not in listed.output

    revoked = runner.invoke(args=["tokens", "revoke", str(stored.id)])
    assert revoked.exit_code == 0 and "已吊销 1 个令牌" in revoked.output
    assert client.get("/api/v1/appeals", headers=_bearer(token)).status_code == 401
    assert client.get("/api/v1/appeals", headers=headers).status_code == 200
    assert "生产环境" not in runner.invoke(args=["tokens", "list", "--user", user.username]).output
    assert "已吊销" in runner.invoke(args=["tokens", "list", "--all", "--city", "金昌"]).output

    everything = runner.invoke(args=["tokens", "revoke", "--user", user.username])
    assert everything.exit_code == 0
    assert client.get("/api/v1/appeals", headers=headers).status_code == 401
    assert runner.invoke(args=["tokens", "revoke", "999999"]).exit_code != 0
    assert runner.invoke(args=["tokens", "create", "nobody-here"]).exit_code != 0


def test_admins_list_and_revoke_their_own_citys_tokens_through_the_api(world, database, client):
    """Issue 21, finding 17: an admin had no way to see or revoke tokens."""
    from tests.factories import World

    _, admin = world.user("admin")
    user, headers = world.user("operator")
    _, elsewhere = World(name="嘉峪关", code="JYG").user("admin")
    listed = client.get("/api/v1/admin/tokens", query_string={"user": user.username}, headers=admin)
    assert listed.status_code == 200 and listed.headers["Cache-Control"] == "no-store"
    (entry,) = listed.get_json()
    assert entry["user"] == user.username and entry["state"] == "active" and "token_hash" not in entry
    assert client.get("/api/v1/admin/tokens", query_string={"user": user.username}, headers=elsewhere).get_json() == []
    assert client.post(f"/api/v1/admin/tokens/{entry['id']}/revoke", headers=elsewhere).status_code == 404
    revoked = client.post(f"/api/v1/admin/tokens/{entry['id']}/revoke", headers=admin)
    assert revoked.status_code == 200 and revoked.get_json()["state"] == "revoked"
    assert client.get("/api/v1/appeals", headers=headers).status_code == 401
    assert client.get("/api/v1/admin/tokens", query_string={"state": "revoked"}, headers=admin).get_json()[0]["id"] \
        == entry["id"]
