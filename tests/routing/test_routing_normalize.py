from hypothesis import given
from hypothesis import strategies as st

from routing.normalize import normalize, to_halfwidth


def test_traditional_to_simplified():
    assert normalize("銀行突然不給續貸了") == "银行突然不给续贷了"


def test_fullwidth_to_halfwidth_keeps_chinese_punctuation():
    assert to_halfwidth("ＡＢＣ１２３　欠款，") == "ABC123 欠款，"
    assert normalize("欠款４０００多萬元") == "欠款4000多万元"


def test_hotline_filler_and_repeats_removed():
    text = "喂，嗯，那个……我们我们的工程款拖了拖了两年了，就是说一直不给吧。"
    out = normalize(text)
    for filler in ("喂", "嗯", "那个", "就是说", "…"):
        assert filler not in out
    assert "我们的工程款拖了两年了" in out
    assert "一直不给" in out


def test_numbers_and_amounts_kept():
    out = normalize("欠了12个点的管理费，共3.5万元，拖了2年")
    for token in ("12个点", "3.5万元", "2年"):
        assert token in out


def test_words_with_doubled_characters_survive():
    assert normalize("天天来检查，人人都怕") == "天天来检查，人人都怕"
    assert normalize("网吧的营业执照") == "网吧的营业执照"


@given(st.text(max_size=60))
def test_normalize_is_idempotent_and_total(text):
    once = normalize(text)
    assert isinstance(once, str)
    assert normalize(once) == once
