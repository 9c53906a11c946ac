"""The rotations change nothing unless they can finish: no DATA_KEYS in the environment, a value
no configured key decrypts, or an unfit NEW_INDEX_KEY is refused in Chinese, before any write."""
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

import privacy.keys
from privacy.lookup import blind_index
from tests.factories import appeal_body

NEW_INDEX_KEY = "a-new-index-key-0123456789abcdef0123456789"


@pytest.fixture
def stored(app, client, live_world, live_db):
    """Three appeals; returns a function reading their stored ciphertexts and hashes."""
    _, headers = live_world.user("operator")
    for _ in range(3):
        assert client.post("/api/v1/appeals", json=appeal_body(), headers=headers).status_code == 201
    live_db.session.remove()

    def read():
        rows = live_db.session.execute(text(
            "SELECT complainant_name, complainant_phone, complainant_phone_hash FROM appeals ORDER BY id")).all()
        live_db.session.remove()
        return rows

    return read


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=["privacy", *args])


@pytest.fixture
def keys(app):
    """keys(data_keys, index_key): configure other keys for the test, the app's again afterwards."""
    yield lambda data, index=app.config["INDEX_KEY"]: privacy.keys.configure(data, index)
    privacy.keys.configure(app.config["DATA_KEYS"], app.config["INDEX_KEY"])


def test_rotate_keys_without_data_keys_in_the_environment_is_refused(app, stored, monkeypatch):
    before = stored()
    monkeypatch.delenv("DATA_KEYS")
    result = invoke(app, "rotate-keys")
    assert result.exit_code == 1
    assert "环境变量中没有 DATA_KEYS，未做任何改动" in result.output
    assert stored() == before


def test_rotate_keys_with_an_undecryptable_value_writes_nothing(app, client, live_world, stored, keys):
    """A fourth appeal is written under a key then left out of DATA_KEYS: with batches of two, the
    first batch would be rotated before the second fails; nothing is."""
    other = Fernet.generate_key().decode()
    keys([other, *app.config["DATA_KEYS"]])
    _, headers = live_world.user("operator")
    assert client.post("/api/v1/appeals", json=appeal_body(), headers=headers).status_code == 201
    before = stored()
    keys([Fernet.generate_key().decode(), *app.config["DATA_KEYS"]])
    result = invoke(app, "rotate-keys", "--batch-size", "2")
    assert result.exit_code == 1
    assert "appeals 第 4 行的 complainant_name 无法用 DATA_KEYS 中的任何密钥解密" in result.output
    assert "2 个加密值无法用当前 DATA_KEYS 解密，未做任何改动" in result.output
    assert stored() == before


def test_rotate_index_key_refuses_a_missing_weak_or_unchanged_key(app, stored, monkeypatch):
    before = stored()
    for value, message in ((None, "未设置 NEW_INDEX_KEY"), ("0123456789" * 2, "NEW_INDEX_KEY 太弱"),
                           (app.config["INDEX_KEY"], "与当前的 INDEX_KEY 相同")):
        if value is None:
            monkeypatch.delenv("NEW_INDEX_KEY", raising=False)
        else:
            monkeypatch.setenv("NEW_INDEX_KEY", value)
        result = invoke(app, "rotate-index-key")
        assert result.exit_code == 1 and message in result.output and "未做任何改动" in result.output
    assert stored() == before


def test_rotate_index_key_rehashes_every_phone_once(app, stored, keys, monkeypatch):
    before = stored()
    monkeypatch.setenv("NEW_INDEX_KEY", NEW_INDEX_KEY)
    result = invoke(app, "rotate-index-key", "--batch-size", "2")
    assert result.exit_code == 0, result.output
    assert "appeals.complainant_phone_hash：重算 3 个检索哈希" in result.output
    after = stored()
    assert [row[:2] for row in after] == [row[:2] for row in before]  # ciphertexts untouched
    keys(app.config["DATA_KEYS"], NEW_INDEX_KEY)
    assert {row[2] for row in after} == {blind_index("13812341234", "phone")}
    assert "共重算 0 个检索哈希" in invoke(app, "rotate-index-key").output  # nothing left: safe to run again
