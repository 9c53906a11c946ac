from accounts.tokens import hash_token
from models import ApiToken, User


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
