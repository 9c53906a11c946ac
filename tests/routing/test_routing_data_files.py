from routing.catalogue import kinds_of, load_catalogue
from routing.vocabulary import load_vocabulary


def test_vocabulary_is_broad_and_refers_to_known_kinds():
    vocab = load_vocabulary()
    assert len(vocab) >= 50
    assert sum(len(m.phrases) for m in vocab) >= 1000
    for needed in ("拖欠工程款", "续贷", "抽贷", "断贷", "营业执照", "罚款", "社保", "欠薪", "发票", "退税",
                   "土地证", "停电", "通气", "补贴没到账", "专利被仿冒", "被列入失信"):
        assert any(needed in m.phrases for m in vocab), needed


def test_catalogue_matches_unit_names_of_several_spellings():
    assert len(load_catalogue()) >= 40
    assert "rsj" in kinds_of("市人力资源和社会保障局") and "rsj" in kinds_of("市人社局")
    assert "scj" in kinds_of("市市场监督管理局") and "scj" in kinds_of("市市场监管局")
    assert {"gxj", "swj"} <= set(kinds_of("市工信商务局"))
    assert "sthj" in kinds_of("郑州市生态环境局新密分局")
    assert "jrjg" in kinds_of("国家金融监督管理总局金昌监管分局")
