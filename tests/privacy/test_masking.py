import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from privacy.lookup import normalise_phone
from privacy.masking import mask_name, mask_phone


@pytest.mark.parametrize("raw, masked", [
    ("13812341234", "138****1234"),
    ("+86 138-1234-1234", "138****1234"),
    ("１３８１２３４１２３４", "138****1234"),
    ("0935-8221234", "0935-***1234"),
    ("0935 82212345", "0935-****2345"),
    ("010-65123456", "010-****3456"),
    ("+86 10 6512 3456", "010-****3456"),
    ("021-6512345", "021-***2345"),
    ("+1 415 555 0100", "*******0100"),
    ("12345678", "****5678"),
    ("1234567", "*******"),
    ("12", "***"),
    ("无", "***"),
    ("", ""),
    (None, ""),
])
def test_mask_phone(raw, masked):
    assert mask_phone(raw) == masked


@pytest.mark.parametrize("raw, masked", [
    ("张先生", "张**"), ("张三", "张*"), ("欧阳娜娜", "欧***"), ("李", "*"),
    (" 张 三 ", "张*"), ("", ""), ("  ", ""), (None, ""),
])
def test_mask_name(raw, masked):
    assert mask_name(raw) == masked


def trailing_digits(masked):
    return re.search(r"[0-9]*$", masked).group()


@given(st.text())
def test_mask_phone_never_shows_more_than_four_trailing_digits(value):
    masked = mask_phone(value)
    assert len(trailing_digits(masked)) <= 4
    assert len(re.findall(r"[0-9]", masked)) <= 8


phones = st.from_regex(r"\+?(86|0086)?[ -]?[0-9][0-9 -]{7,16}", fullmatch=True)


@given(phones)
def test_masked_phone_keeps_length_and_only_real_trailing_digits(value):
    masked = mask_phone(value)
    digits = normalise_phone(value).lstrip("+")
    assert len(re.sub(r"[^0-9*]", "", masked)) == len(digits)
    assert digits.endswith(trailing_digits(masked))
    assert "*" in masked


@given(st.text())
def test_mask_name_keeps_only_the_first_character(value):
    masked = mask_name(value)
    name = "".join(value.split())
    assert len(masked) == len(name)
    assert set(masked[1:]) <= {"*"}
    if len(name) > 1:
        assert masked[0] == name[0]
