import pytest

from privacy import crypto, keys
from privacy.keys import KeyConfigError

INDEX_KEY = "i" * 32


@pytest.fixture(autouse=True)
def restore_keys(monkeypatch):
    monkeypatch.setattr(keys, "_keys", None)


def test_unconfigured_use_is_a_clear_error():
    with pytest.raises(KeyConfigError, match="not configured"):
        crypto.encrypt("x")


def test_malformed_data_key_names_its_position():
    with pytest.raises(KeyConfigError, match="entry 2 is not a valid Fernet key"):
        keys.configure([keys.generate_data_key(), "not-a-key"], INDEX_KEY)


@pytest.mark.parametrize("data_keys", [[], [""], ["  "]])
def test_empty_or_blank_data_keys_are_refused(data_keys):
    with pytest.raises(KeyConfigError):
        keys.configure(data_keys, INDEX_KEY)


def test_unsplit_env_string_is_refused():
    with pytest.raises(KeyConfigError, match="list"):
        keys.configure(keys.generate_data_key(), INDEX_KEY)


@pytest.mark.parametrize("index_key", ["short", b"", b"x" * 31])
def test_short_index_key_is_refused(index_key):
    with pytest.raises(KeyConfigError, match="INDEX_KEY"):
        keys.configure([keys.generate_data_key()], index_key)


def test_failed_configure_keeps_the_previous_keys():
    keys.configure([keys.generate_data_key()], INDEX_KEY)
    token = crypto.encrypt("张三")
    with pytest.raises(KeyConfigError):
        keys.configure(["bad"], INDEX_KEY)
    assert crypto.decrypt(token) == "张三"


def test_generated_keys_configure_and_whitespace_from_env_is_tolerated():
    env_value = f" {keys.generate_data_key()} , {keys.generate_data_key()}"
    keys.configure(env_value.split(","), keys.generate_index_key())
    assert crypto.decrypt(crypto.encrypt("ok")) == "ok"
    assert keys.generate_data_key() != keys.generate_data_key()
    assert len(keys.generate_index_key()) == 64
