import re
from collections import Counter
from math import sqrt

from routing.duplicates import OpenAppeal, find_duplicate, similarity
from routing.normalize import normalize

OPEN = [
    OpenAppeal("A1", "区里那个项目的工程款拖了两年了，找了好几次都说没钱", uscc="91620300MA00000001",
               enterprise="金昌某建设有限公司"),
    OpenAppeal("A2", "营业执照变更登记办不下来", uscc="91620300MA00000001", enterprise="金昌某建设有限公司"),
    OpenAppeal("B1", "区里项目的工程款拖了两年了，一直说没钱", uscc="91620300MA00000002", enterprise="别的公司"),
]


def test_same_enterprise_similar_text_is_flagged():
    text = "区里项目的工程款已经拖了两年，去找了好几次都说没钱"
    assert find_duplicate(text, OPEN, uscc="91620300ma00000001") == "A1"
    assert find_duplicate(text, OPEN, enterprise="金昌某建设有限公司") == "A1"
    assert find_duplicate(text, OPEN, enterprise="金昌某建设公司") == "A1"


def test_other_enterprise_or_other_matter_is_not_flagged():
    assert find_duplicate("区里项目的工程款拖了两年", OPEN, uscc="91620300MA00000009") is None
    assert find_duplicate("食堂的食品经营许可证怎么办理", OPEN, uscc="91620300MA00000001") is None
    assert find_duplicate("区里项目的工程款拖了两年", OPEN) is None


def test_similarity_bounds():
    assert similarity("工程款拖欠", "工程款拖欠") > 0.99
    assert similarity("工程款拖欠", "营业执照") == 0.0
    assert similarity("", "x") == 0.0


def test_similarity_is_the_cosine_of_bigram_counts_in_either_order_and_on_repeated_calls():
    def cosine(a, b):
        a, b = (re.sub(r"[^\u4e00-\u9fffa-z0-9]", "", normalize(t)) for t in (a, b))
        x, y = (Counter(t[i:i + 2] for i in range(len(t) - 1)) for t in (a, b))
        norm = sqrt(sum(v * v for v in x.values())) * sqrt(sum(v * v for v in y.values()))
        return sum(v * y[k] for k, v in x.items()) / norm if norm else 0.0

    texts = [a.text for a in OPEN] + ["工程款工程款拖欠拖欠", "营业执照"]
    for _ in range(2):
        for a in texts:
            for b in texts:
                assert similarity(a, b) == similarity(b, a) == cosine(a, b)
