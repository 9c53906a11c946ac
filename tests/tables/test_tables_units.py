"""Unit names: splitting notes, canonical names, aliases, kinds, routability, register."""
import pytest

from tables import TableError, build_register
from tables.units import (
    KINDS,
    aliases_of,
    canonical_name,
    is_routable,
    join_unit_lines,
    kind_of,
    split_names,
    split_note,
)


def test_split_note_leads_and_placeholders():
    note = split_note("市发展改革委、市工信商务局牵头,各履行行政审批职能部门按职责分工负责")
    assert note.leads == ("市发展改革委", "市工信商务局")
    assert note.others == ("各履行行政审批职能部门",)
    assert note.lead_marked


def test_split_note_without_lead_mark():
    note = split_note("市科技局、市工信商务局、市国资中心等按职责分工负责")
    assert note.leads == ()
    assert note.others == ("市科技局", "市工信商务局", "市国资中心")
    assert not note.lead_marked


def test_split_note_all_co_leads_shuozhou_style():
    note = split_note("市税务局、市财政局、县<市、区>人民政府牵头负责")
    assert note.leads == ("市税务局", "市财政局", "县（市、区）人民政府")
    assert note.others == ()


def test_split_note_drops_remark_and_trailer():
    note = split_note("市委宣传部、市工商联，永昌县、金川区、金昌经开区负责落实"
                      "（以下各项任务均需永昌县、金川区、金昌经开区落实，不再一一列举）")
    assert note.others == ("市委宣传部", "市工商联", "永昌县", "金川区", "金昌经开区")


def test_split_names_keeps_bracketed_separators_and_splits_deng():
    assert split_names("各县<市、区>、市直相关单位") == ["各县（市、区）", "市直相关单位"]
    assert split_names("市司法局等市属（驻市）有关单位") == ["市司法局", "市属（驻市）有关单位"]
    assert split_names("市科技局 市财政局") == ["市科技局", "市财政局"]


def test_join_unit_lines_rejoins_broken_names():
    lines = ["市政府金融办", "中国人民银行", "金昌市分行", "", "国家金融监督管理总局金昌监管分局"]
    assert join_unit_lines(lines) == "市政府金融办、中国人民银行金昌市分行、国家金融监督管理总局金昌监管分局"
    assert join_unit_lines(["市发改委", "金昌经开区", "管委会"]) == "市发改委、金昌经开区管委会"
    assert join_unit_lines(["市委市政府", "督查考核办"]) == "市委市政府督查考核办"


@pytest.mark.parametrize("raw, canonical", [
    ("市发改委", "市发展改革委"),
    ("市中级法院", "市中级人民法院"),
    ("市法院", "市法院"),  # 新密's 市法院 is a basic court: not merged with 中级
    ("市检察院", "市人民检察院"),
    ("市政府办", "市政府办公室"),
    ("市人社局", "市人力资源和社会保障局"),
    ("市纪委监委机关", "市纪委监委"),
    ("人行朔州中心支行", "中国人民银行朔州中心支行"),
    ("金川区党委和人民政府", "金川区"),
    ("金昌经开区管委会", "金昌经开区"),
    ("市發展改革委", "市发展改革委"),  # traditional characters
    ("各县<市、区>人民政府", "各县（市、区）人民政府"),
    ("市政府办公厅", "市政府办公厅"),  # not an abbreviation of 办公室
])
def test_canonical_name(raw, canonical):
    assert canonical_name(raw) == canonical


def test_aliases_cover_abbreviations_short_forms_and_traditional():
    aliases = aliases_of("市发展改革委")
    assert {"市发改委", "发展改革委", "发改委", "市發展改革委"} <= aliases
    assert "市发展改革委" not in aliases
    assert {"市中级法院", "中级人民法院"} <= aliases_of("市中级人民法院")
    assert "委宣传部" not in aliases_of("市委宣传部")  # 市委… keeps its 市
    assert aliases_of("各行业主管部门") == frozenset({"各行業主管部門"})


@pytest.mark.parametrize("name, kind, routable", [
    ("市发展改革委", "department", True),
    ("市中级人民法院", "court", True),
    ("市人民检察院", "procuratorate", True),
    ("市委统战部", "party", True),
    ("市纪委监委", "party", True),
    ("市工商联", "people_org", True),
    ("团市委", "people_org", True),
    ("市供电公司", "enterprise", True),
    ("国网赣州供电公司", "enterprise", True),
    ("金昌海关", "stationed", True),
    ("市银监分局", "stationed", True),
    ("郑州市生态环境局新密分局", "stationed", True),
    ("中国人民银行金昌市分行", "stationed", True),
    ("金川集团股份有限公司", "enterprise", False),
    ("永昌县", "jurisdiction", False),
    ("金昌经开区", "jurisdiction", False),
    ("伏羲山管委会", "jurisdiction", False),
    ("各县区", "placeholder", False),
    ("市属（驻市）有关单位", "placeholder", False),
    ("各行业主管部门", "placeholder", False),
    ("各级各有关部门", "placeholder", False),
    ("街道办事处", "placeholder", False),
    ("冶金学院", "other", False),
])
def test_kind_and_routability(name, kind, routable):
    assert kind_of(name) == kind
    assert kind in KINDS
    assert is_routable(name) is routable


def test_register_merges_spellings_and_folds_bare_names():
    units, resolve = build_register([("市发改委", 3), ("市发展改革委", 5), ("纪委监委", 7), ("市纪委监委", 9)])
    names = [u.name for u in units]
    assert names == ["市发展改革委", "市纪委监委"]
    assert resolve["市发改委"] == resolve["发改委"] == "市发展改革委"
    assert resolve["纪委监委"] == "市纪委监委"
    assert "纪委监委" in units[1].aliases


def test_register_folds_short_form_whatever_comes_first():
    for mentions in ([("市市场监管局", 1), ("市场监管局", 2)], [("市场监管局", 1), ("市市场监管局", 2)]):
        units, _ = build_register(mentions)
        assert [u.name for u in units] == ["市市场监督管理局"]


def test_register_alias_conflict_is_an_error_with_line():
    known = {"发改局": "市发展改革委"}
    with pytest.raises(TableError) as caught:
        build_register([("市财政局", 3), ("市发改局", 17)], known=known)
    assert caught.value.line == 17
    assert "发改局" in caught.value.message_zh and "市发展改革委" in caught.value.message_zh


def test_register_uses_known_aliases():
    units, resolve = build_register([("发改局", 5)], known={"发改局": "市发展改革委"})
    assert [u.name for u in units] == ["市发展改革委"]
    assert resolve["发改局"] == "市发展改革委"
