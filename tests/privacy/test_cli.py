"""`flask privacy rotate-keys` moves every stored complainant value to the newest key."""
import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import text

import privacy.keys
from models import Appeal
from tests.factories import appeal_body


def test_rotate_keys_reencrypts_everything_once(app, client, live_world, live_db):
    _, headers = live_world.user("operator")
    numbers = [client.post("/api/v1/appeals", json=appeal_body(), headers=headers).get_json()["number"]
               for _ in range(3)]
    live_db.session.close()  # rotate_table writes through its own connections
    key = Fernet.generate_key().decode()
    privacy.keys.configure([key, *app.config["DATA_KEYS"]], app.config["INDEX_KEY"])
    try:
        first = app.test_cli_runner().invoke(args=["privacy", "rotate-keys", "--batch-size", "2"])
        again = app.test_cli_runner().invoke(args=["privacy", "rotate-keys"])
    finally:
        privacy.keys.configure(app.config["DATA_KEYS"], app.config["INDEX_KEY"])
    assert first.exit_code == 0, first.output
    assert "appeals：重新加密 6 个值" in first.output
    assert "共重新加密 0 个值；全部数据已使用最新密钥" in again.output
    rows = live_db.session.execute(text("SELECT complainant_name, complainant_phone FROM appeals")).all()
    assert len(rows) == 3
    for name, phone in rows:
        assert Fernet(key).decrypt(phone.encode()).decode() == "13812341234"
        assert Fernet(key).decrypt(name.encode()).decode() == "张先生"
        with pytest.raises(InvalidToken):
            Fernet(app.config["DATA_KEYS"][0]).decrypt(phone.encode())
    assert live_db.session.query(Appeal).filter(Appeal.number.in_(numbers)).count() == 3


def test_check_keys_passes_with_the_right_keys_and_fails_with_wrong_ones(app, client, world, database):
    _, headers = world.user("operator")
    for _ in range(2):
        client.post("/api/v1/appeals", json=appeal_body(), headers=headers)
    right = app.test_cli_runner().invoke(args=["privacy", "check-keys"])
    assert right.exit_code == 0, right.output
    assert "已解密 4 个加密值、核验 2 个检索哈希，密钥正确" in right.output
    wrong_keys = [
        ([Fernet.generate_key().decode()], app.config["INDEX_KEY"], "无法用 DATA_KEYS 解密"),
        (app.config["DATA_KEYS"], "another-index-key-0123456789abcdef0123", "电话检索哈希与 INDEX_KEY 不符"),
    ]
    for data_keys, index_key, message in wrong_keys:
        privacy.keys.configure(data_keys, index_key)
        try:
            wrong = app.test_cli_runner().invoke(args=["privacy", "check-keys"])
        finally:
            privacy.keys.configure(app.config["DATA_KEYS"], app.config["INDEX_KEY"])
        assert wrong.exit_code == 1
        assert message in wrong.output and "请勿启动服务" in wrong.output
