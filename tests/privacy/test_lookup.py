import pytest

from privacy import keys
from privacy.lookup import blind_index, normalise_name, normalise_phone


@pytest.fixture(autouse=True)
def configured(monkeypatch):
    monkeypatch.setattr(keys, "_keys", None)
    keys.configure([keys.generate_data_key()], "i" * 32)


@pytest.mark.parametrize("raw, expected", [
    ("13812341234", "13812341234"),
    ("138-1234-1234", "13812341234"),
    ("+86 138 1234 1234", "13812341234"),
    ("008613812341234", "13812341234"),
    ("8613812341234", "13812341234"),
    ("１３８１２３４１２３４", "13812341234"),
    ("＋86 13812341234", "13812341234"),
    ("0935-8221234", "09358221234"),
    ("(0935) 822 1234", "09358221234"),
    ("+86 935 8221234", "09358221234"),
    ("+86 10 6512 3456", "01065123456"),
    ("+1 415 555 0100", "+14155550100"),
])
def test_normalise_phone(raw, expected):
    assert normalise_phone(raw) == expected


def test_normalise_name():
    assert normalise_name(" 张 三\u3000") == "张三"
    assert normalise_name("Ｌｉ Ｍｉｎｇ") == normalise_name("li ming")


def test_equivalent_phones_share_an_index():
    assert blind_index("+86 138-1234-1234", "phone") == blind_index("13812341234", "phone")
    assert len(blind_index("13812341234", "phone")) == 64


def test_index_depends_on_value_purpose_and_key():
    phone = blind_index("13812341234", "phone")
    assert phone != blind_index("13812341235", "phone")
    assert phone != blind_index("13812341234", "name")
    keys.configure([keys.generate_data_key()], "j" * 32)
    assert phone != blind_index("13812341234", "phone")


@pytest.mark.parametrize("value, purpose", [("-", "phone"), ("+", "phone"), (" \t", "name"), ("x", "email")])
def test_nothing_to_index_or_unknown_purpose_raises(value, purpose):
    with pytest.raises(ValueError):
        blind_index(value, purpose)
