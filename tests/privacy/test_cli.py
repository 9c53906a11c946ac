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
