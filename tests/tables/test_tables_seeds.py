"""The four real tables in ../shared/seeds, as a careful reader of each finds them."""
from pathlib import Path

import pytest

import tables
from tables.units import kind_of

SEEDS = Path(__file__).parents[2].parent / "shared" / "seeds"
JINCHANG, XINMI, SHUOZHOU, GANZHOU, PRESS = (
    "000_e8af529a3e52d661.txt", "001_3157cc40575f03a0.txt", "002_0bc76a5a651969c0.txt",
    "003_708032cc1c019027.txt", "004_745223633ba67628.txt",
)
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not present")
_cache: dict[str, tables.ParsedTable] = {}


def parsed(name: str) -> tables.ParsedTable:
    if name not in _cache:
        _cache[name] = tables.parse_file(SEEDS / name)
    return _cache[name]


def row(table: tables.ParsedTable, number: str, part: str = "") -> tables.ParsedMatter:
    (matter,) = [m for m in table.matters if m.number == number and m.part == part]
    return matter


# Per seed: shape, matters, distinct units, routable units, defaulted leads.
FIGURES = {
    JINCHANG: ("tab_cells", 85, 54, 46, 37),
    XINMI: ("numbered_notes", 63, 48, 34, 32),
    SHUOZHOU: ("numbered_notes", 48, 44, 35, 5),
    GANZHOU: ("tsv", 113, 51, 49, 35),
}


@pytest.mark.parametrize("name", FIGURES)
def test_figures(name):
    table = parsed(name)
    shape, matters, units, routable, defaults = FIGURES[name]
    assert table.shape == shape
    assert len(table.matters) == matters
    assert len(table.units) == units
    assert sum(u.routable for u in table.units) == routable
    assert sum(m.lead_is_default for m in table.matters) == defaults
    assert table.unplaced == ()


@pytest.mark.parametrize("name", FIGURES)
def test_register_invariants(name):
    table = parsed(name)
    names = [u.name for u in table.units]
    assert len(names) == len(set(names))
    spellings = [a for u in table.units for a in (u.name, *u.aliases)]
    assert len(spellings) == len(set(spellings)), "an alias names two units"
    for matter in table.matters:
        named = matter.lead_units + matter.assisting_units + matter.placeholders
        assert set(named) <= set(names), matter
        assert not set(matter.lead_units) & set(matter.assisting_units)
        assert all(kind_of(n) == "placeholder" for n in matter.placeholders)
        assert table.span[0] <= matter.lines[0] <= matter.lines[1] <= table.span[1]
        assert matter.source == name
        assert matter.lead_units or matter.lead_is_default
    for unit in table.units:
        if unit.kind in ("placeholder", "jurisdiction", "other"):
            assert not unit.routable, unit
        if unit.routable and unit.kind not in ("stationed", "enterprise"):
            assert unit.name.startswith("市") or unit.name == "团市委"


def test_jinchang_two_annexes_in_order():
    table = parsed(JINCHANG)
    for part, count in (("附件1", 37), ("附件2", 48)):
        numbers = [m.number for m in table.matters if m.part == part]
        assert numbers == [str(n) for n in range(1, count + 1)]
    defaults = {(m.part, m.number) for m in table.matters if m.lead_is_default}
    assert defaults == {("附件1", str(n)) for n in range(1, 38) if n != 14} | {("附件2", "1")}


def test_jinchang_annex1_special_rows():
    table = parsed(JINCHANG)
    first = row(table, "1", "附件1")
    assert first.task == "凝聚共识支持民营经济发展"  # title wrapped over three lines
    assert first.section == "一、进一步提振民营经济发展信心"
    assert first.lines == (39, 45)
    assert first.lead_units == ("市委宣传部",) and first.lead_is_default
    assert {"永昌县", "金川区", "金昌经开区"} <= set(first.assisting_units)  # remark dropped
    assert row(table, "7", "附件1").task == "完善市场化重整机制"  # blank line inside the cell
    assert row(table, "30", "附件1").task == "强化对民营企业家思想政治引领"
    assert row(table, "22", "附件1").section == "五、推动民营经济加快转型升级实现高质量发展"
    run_in = row(table, "33", "附件1")  # header cut short, " \t33" run in
    assert run_in.lines[0] == 337
    assert run_in.lead_units == ("市工业和信息化局",)
    assert "市应急管理局" in run_in.assisting_units
    assert row(table, "36", "附件1").lines[0] == 362
    assert row(table, "14", "附件1").lead_units == ("市人力资源和社会保障局",)
    assert not row(table, "14", "附件1").lead_is_default  # the sole unit named
    assert "市委市政府督查考核办" in row(table, "37", "附件1").assisting_units
    ninth = row(table, "9", "附件1")  # banks listed first: the lead is the first routable unit
    assert ninth.lead_units == ("市政府金融办",)
    assert "中国人民银行金昌市分行" in ninth.assisting_units


def test_jinchang_annex2_leads_are_data():
    table = parsed(JINCHANG)
    first = row(table, "1", "附件2")  # 牵头单位 "——": nobody routable to default to
    assert first.lead_units == () and first.lead_is_default
    assert first.deadline == "每年年底前完成年均增速目标"
    assert {"市委各部门", "市级国家机关各部门各单位"} <= set(first.placeholders)
    assert row(table, "4", "附件2").lead_units == ("市市场监督管理局", "市工业和信息化局", "市科技局")
    assert row(table, "6", "附件2").deadline == "每年年底前完成年均增速目标"
    tenth = row(table, "10", "附件2")  # "金昌经开区 / 管委会" broken over two lines
    assert tenth.lead_units == ("市发展改革委", "金昌经开区") and not tenth.lead_is_default
    assert row(table, "23", "附件2").lead_units == (
        "市政府金融办", "中国人民银行金昌市分行", "国家金融监督管理总局金昌监管分局")
    assert row(table, "39", "附件2").lead_units[0] == "市委市政府督查考核办"
    assert row(table, "31", "附件2").lead_units == ("市纪委监委", "市委组织部", "市中级人民法院", "市发展改革委")
    assert row(table, "40", "附件2").deadline.startswith("2024年8月30日前（全省数据发布后")
    assert {"各人民团体", "中央和省属在金各单位"} <= set(row(table, "27", "附件2").placeholders)
    last = row(table, "48", "附件2")  # "市市级国家机关…" typo folds into the placeholder
    assert last.placeholders == ("市级国家机关各部门各单位",) and last.lines == (866, 872)


def test_jinchang_register_merges_spellings():
    units = {u.name: u for u in parsed(JINCHANG).units}
    assert "市发改委" in units["市发展改革委"].aliases
    assert "市纪委监委机关" in units["市纪委监委"].aliases
    assert "金昌经开区管委会" in units["金昌经开区"].aliases
    assert units["金昌经开区"].kind == "jurisdiction" and not units["金昌经开区"].routable
    assert units["冶金学院"].kind == "other"


def test_xinmi_measures_and_notes():
    table = parsed(XINMI)
    assert [m.number for m in table.matters] == [str(n) for n in range(1, 64)]
    assert table.span == (11, 77)  # 三、工作措施 after the last measure is not a measure
    first = row(table, "1")
    assert first.section == "(一)持续优化民营经济发展环境"
    assert first.task == "持续优化民营市场主体进入和退出环境"
    assert first.lead_units == ("市发展改革委", "市工信商务局", "市行政审批和政务信息管理局", "市市场监督管理局")
    assert first.placeholders == ("各履行行政审批职能部门",) and not first.lead_is_default
    land = row(table, "15")
    assert land.lead_units == ("市资源规划局",)
    assert land.assisting_units == ("市工信商务局", "市发展改革委", "市财政局", "伏羲山管委会")
    assert land.placeholders == ("各乡镇政府", "街道办事处")
    assert row(table, "16").task == ""  # no title sentence
    six = row(table, "6")  # "…按职责分工负责" without 牵头: first-listed, marked default
    assert six.lead_units == ("市科技局",) and six.lead_is_default
    court = row(table, "35")
    assert court.lead_units == ("市法院",) and not court.lead_is_default
    assert row(table, "27").lead_units == ("郑州市生态环境局新密分局", "市发展改革委")
    nobody = row(table, "61")
    assert nobody.lead_units == () and nobody.lead_is_default
    assert nobody.assisting_units == ("伏羲山管委会",)
    last = row(table, "63")
    assert last.section == "(五)促进民营经济人士健康成长"
    assert "团市委" in last.assisting_units
    assert "（" not in last.measure[-5:] and last.measure.endswith("等榜单。")


def test_shuozhou_co_leads_and_old_names():
    table = parsed(SHUOZHOU)
    assert [m.number for m in table.matters] == [str(n) for n in range(1, 49)]
    assert [m.number for m in table.matters if m.lead_is_default] == ["2", "4", "7", "12", "28"]
    assert row(table, "2").placeholders == ("各级各有关部门",)
    assert row(table, "4").placeholders == ("各县（市、区）人民政府",)  # 各县<市、区>人民政府
    assert row(table, "5").lead_units == ("市纪委监委", "市发展改革委", "市经信委")  # bare 纪委监委
    assert row(table, "23").lead_units == ("市金融办", "中国人民银行朔州中心支行", "市银监分局")
    assert "〖" not in row(table, "21").measure
    assert row(table, "18").lead_units == ("朔州经济开发区",)
    assert all(m.assisting_units == () for m in table.matters)  # all named units co-lead
    units = {u.name: u for u in table.units}
    assert units["市银监分局"].kind == "stationed" and units["市银监分局"].routable and units["市经信委"].routable
    assert "人行朔州中心支行" in units["中国人民银行朔州中心支行"].aliases


def test_ganzhou_items_continuations_and_groups():
    table = parsed(GANZHOU)
    assert sorted({int(m.number) for m in table.matters}) == list(range(1, 37))
    assert table.span[0] == 37  # the preamble (with a contact person) is outside the table
    assert all(m.lines[0] > 23 for m in table.matters)
    assert all("<" not in m.measure and "<" not in m.upper_measure for m in table.matters)
    by_item = lambda n: [m for m in table.matters if m.number == n]  # noqa: E731
    assert [m.lines[0] for m in by_item("15")] == [83, 86, 87, 88, 89]  # repeated at page break
    assert [m.lines[0] for m in by_item("34")] == [144, 147]
    assert [m.lead_units for m in by_item("7")][1:3] == [("市文旅局",), ("市国资委",)]
    electricity = by_item("19")  # four <p> measures, four unit groups
    assert [m.lead_units[0] for m in electricity] == ["市发展改革委", "市工业和信息化局", "市供电公司", "市住房和城乡建设局"]
    assert electricity[3].assisting_units == ("市发展改革委", "市供电公司")
    assert len(by_item("27")) == 7 and len(by_item("26")) == 10
    green = by_item("25")  # a numbered run 1.–3. belongs to one unit group
    assert green[0].measure.count("\n") == 2 and green[1].assisting_units == ("国网赣州供电公司",)
    assert row(table, "33").section == "六、促进民营经济人士健康成长"  # from <h2>
    confidentiality = [m for m in table.matters if m.lines[0] == 140][0]
    assert confidentiality.lead_units == () and confidentiality.placeholders == ("市属（驻市）有关单位",)
    assert [m for m in table.matters if m.lines[0] == 139][0].assisting_units[-1] == "市政府办公室"  # 市政府办


def test_press_conference_is_refused():
    with pytest.raises(tables.TableError) as caught:
        tables.parse_file(SEEDS / PRESS)
    assert caught.value.line == 1
    assert "没有找到任务分工表" in caught.value.message_zh


def test_demo_copy_is_verbatim():
    demo = Path(__file__).parents[2] / "demo" / "jinchang_division_table.txt"
    assert demo.read_bytes() == (SEEDS / JINCHANG).read_bytes()
