import pytest
from hypothesis import given
from hypothesis import strategies as st

from privacy import crypto, keys
from privacy.crypto import DecryptionError

OLD, NEW = keys.generate_data_key(), keys.generate_data_key()
INDEX_KEY = "i" * 32


@pytest.fixture(autouse=True)
def configured(monkeypatch):
    monkeypatch.setattr(keys, "_keys", None)
    keys.configure([OLD], INDEX_KEY)


@given(st.text())
def test_round_trip(plaintext):
    token = crypto.encrypt(plaintext)
    assert crypto.decrypt(token) == plaintext


def test_token_hides_plaintext_and_is_randomised():
    first, second = crypto.encrypt("13812341234"), crypto.encrypt("13812341234")
    assert "13812341234" not in first
    assert first != second


def test_old_key_still_decrypts_after_a_new_key_is_prepended():
    token = crypto.encrypt("张三")
    keys.configure([NEW, OLD], INDEX_KEY)
    assert crypto.decrypt(token) == "张三"
    assert crypto.needs_rotation(token)


def test_rotated_token_needs_only_the_new_key():
    token = crypto.encrypt("张三")
    keys.configure([NEW, OLD], INDEX_KEY)
    rotated = crypto.rotate(token)
    assert not crypto.needs_rotation(rotated)
    keys.configure([NEW], INDEX_KEY)
    assert crypto.decrypt(rotated) == "张三"
    with pytest.raises(DecryptionError):
        crypto.decrypt(token)
    keys.configure([OLD], INDEX_KEY)
    with pytest.raises(DecryptionError):
        crypto.decrypt(rotated)


def test_new_tokens_use_the_newest_key():
    keys.configure([NEW, OLD], INDEX_KEY)
    assert not crypto.needs_rotation(crypto.encrypt("x"))


@pytest.mark.parametrize("mutate", [
    lambda t: t[:40] + ("x" if t[40] != "x" else "y") + t[41:],
    lambda t: t[:20] + ("x" if t[20] != "x" else "y") + t[21:],
    lambda t: t[:-10],
    lambda t: "",
    lambda t: "非ASCII",
])
def test_tampered_token_raises(mutate):
    token = mutate(crypto.encrypt("13812341234"))
    with pytest.raises(DecryptionError):
        crypto.decrypt(token)
    with pytest.raises(DecryptionError):
        crypto.rotate(token)
    assert crypto.needs_rotation(token)
