from routing.lexicon import build_tokenizer, short_names, tokenize, user_words


def test_user_dictionary_holds_units_short_names_and_vocabulary():
    words = user_words(["市税务局", "郑州市生态环境局新密分局"])
    for w in ("市税务局", "税务局", "生态环境局", "续贷", "拖欠工程款", "吃拿卡要"):
        assert w in words


def test_tokenizer_keeps_dictionary_words_whole():
    tok = build_tokenizer(user_words(["市市场监管局"]))
    tokens = tokenize(tok, "银行不给续贷，市场监管局的人吃拿卡要")
    assert "续贷" in tokens or "不给续贷" in tokens
    assert "吃拿卡要" in tokens
    assert "市场监管局" in tokens


def test_private_tokenizers_do_not_leak_between_cities():
    import jieba
    a = build_tokenizer(user_words(["甲市奇特名称局"]))
    b = build_tokenizer(user_words(["乙市税务局"]))
    assert "奇特名称局" in a.FREQ
    assert "奇特名称局" not in b.FREQ
    assert "奇特名称局" not in jieba.dt.FREQ


def test_short_names():
    assert "税务局" in short_names("市税务局")
    assert "生态环境局" in short_names("郑州市生态环境局新密分局")
