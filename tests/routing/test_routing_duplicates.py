from routing.duplicates import OpenAppeal, find_duplicate, similarity

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
