"""Small hand-made tables in each shape, and xlsx/docx fixtures written in the test."""
import docx
import openpyxl
import pytest

import tables

TAB_CELLS = "\n".join([
    "附件1",
    "某市任务分解表",
    "\t序号", "\t省上重点任务", "\t某市贯彻落实措施", "\t责任单位",
    "",
    "\t一、优化营商环境",
    "\t1", "\t畅通诉求", "渠道", "\t省里的要求。", "\t市里的措施，", "继续写。", "\t市政府办、市發改委",
    "",
    "\t序号", "\t省上重点任务", "\t某市贯彻落实措施",
    " \t2", "\t清理欠款", "\t省里的要求。", "\t市里的措施。", "\t市工信局",
])


def test_tab_cells_wrapped_cells_and_cut_short_header():
    table = tables.parse_text(TAB_CELLS, "t.txt")
    assert table.shape == "tab_cells"
    one, two = table.matters
    assert (one.part, one.section, one.task) == ("附件1", "一、优化营商环境", "畅通诉求渠道")
    assert one.measure == "市里的措施，继续写。"
    assert one.lead_units == ("市政府办公室",) and one.assisting_units == ("市发展改革委",)
    assert one.lead_is_default and one.lines == (9, 15)
    assert two.lines == (20, 24) and two.lead_units == ("市工业和信息化局",) and not two.lead_is_default


NOTES = """二、主要任务
(一)第一部分
1.第一项措施。具体内容写在这里,内容较长一些。(市发改委、市司法局牵头,各县<市、区>按职责分工负责)
2.第二项措施。具体内容
接着写在下一行。(市人社局负责)
(二)第二部分
3.第三项措施。内容。(各级各有关部门牵头负责)
三、工作要求
各地要认真落实。
"""


def test_numbered_notes_with_wrapped_item_and_sections():
    table = tables.parse_text(NOTES, "n.txt")
    assert table.shape == "numbered_notes"
    one, two, three = table.matters
    assert one.section == "(一)第一部分" and one.task == "第一项措施"
    assert one.lead_units == ("市发展改革委", "市司法局") and one.placeholders == ("各县（市、区）",)
    assert two.lines == (4, 5) and two.measure.endswith("接着写在下一行。")
    assert two.lead_units == ("市人力资源和社会保障局",) and not two.lead_is_default
    assert three.section == "(二)第二部分" and three.lead_units == () and three.lead_is_default
    assert table.span == (3, 7)


def test_duplicated_paragraph_counts_once_and_stray_lines_are_reported():
    text = NOTES.replace("(二)第二部分\n", "2.第二项措施。具体内容\n接着写在下一行。(市人社局负责)\n(二)第二部分\n")
    table = tables.parse_text(text.replace("3.第三项", "这一行不属于任何措施\n3.第三项"), "d.txt")
    assert [m.number for m in table.matters] == ["1", "2", "3"]
    assert table.unplaced == (tables.UnplacedLine(9, "这一行不属于任何措施"),)


def test_traditional_characters_are_simplified():
    table = tables.parse_text("1.優化環境。內容很多。(市發展改革委牽頭,市財政局負責)\n2.第二項。(市財政局負責)", "t.txt")
    assert table.matters[0].lead_units == ("市发展改革委",)
    assert table.matters[0].assisting_units == ("市财政局",)
    assert table.matters[0].measure.startswith("优化环境")


TSV = "\n".join([
    "通知正文",
    "序号\t省贯彻举措\t省责任单位\t市工作举措\t市责任单位",
    "一、第一部分\t\t\t\t",
    "1\t省措施一\t省发改委\t<p>市措施甲</p> <p>市措施乙</p>\t<p>市发改委</p> <p>市财政局、市税务局</p>",
    "\t\t\t继续的市措施\t市属（驻市）有关单位",
    "",
    "序号\t省贯彻举措\t省责任单位\t市工作举措\t市责任单位",
    "1\t省措施一\t省发改委\t页后续写的措施\t市中级法院",
    "1\t省措施一\t省发改委\t页后续写的措施\t市中级法院",
    "<h2>二、第二部分</h2>\t\t\t\t",
    "2\t省措施二\t省司法厅\t<p>1. 甲</p><p>2. 乙</p>\t市司法局 市公安局",
    "这一行放不进表里",
    "3\t省措施三\t省财政厅\t市措施丙\t市财政局",
])


def test_tsv_continuations_groups_and_html():
    table = tables.parse_text(TSV, "g.tsv")
    assert table.shape == "tsv" and table.span == (2, 13)  # the duplicated row counts once
    numbers = [m.number for m in table.matters]
    assert numbers == ["1", "1", "1", "1", "2", "3"]
    first, second, placeholder_only, after_break, numbered_run, _ = table.matters
    assert (first.measure, first.lead_units) == ("市措施甲", ("市发展改革委",))
    assert (second.lead_units, second.assisting_units) == (("市财政局",), ("市税务局",))
    assert placeholder_only.placeholders == ("市属（驻市）有关单位",) and placeholder_only.lead_units == ()
    assert after_break.upper_measure == "省措施一" and after_break.lead_units == ("市中级人民法院",)
    assert numbered_run.section == "二、第二部分"
    assert numbered_run.measure == "1. 甲\n2. 乙"  # one run, two units: not split
    assert numbered_run.lead_units == ("市司法局",) and numbered_run.assisting_units == ("市公安局",)
    assert table.unplaced == (tables.UnplacedLine(12, "这一行放不进表里"),)


@pytest.mark.parametrize("text", ["", "\n\n", "只有一段正文，没有表格。", "1.没有责任单位的措施。\n2.另一项。"])
def test_text_without_a_table_is_refused(text):
    with pytest.raises(tables.TableError) as caught:
        tables.parse_text(text, "x.txt")
    assert caught.value.line == 1 and "没有找到任务分工表" in caught.value.message_zh


def test_header_without_rows_is_refused_at_the_header():
    with pytest.raises(tables.TableError) as caught:
        tables.parse_text("标题\n序号\t工作任务\t牵头单位\t责任单位\n", "x.tsv")
    assert caught.value.line == 2


HEADER = ["序号", "工作任务", "具体措施", "牵头单位", "配合单位", "完成时限"]
ROWS = [
    ["一、优化环境", None, None, None, None, None],
    [1, "任务甲", "措施甲", "市发改委\n市工信局", "市财政局、各县区", "2025年底前"],
    [None, None, "措施甲的续行", "市商务局", "市税务局", "长期坚持"],
    [2, "任务乙", "措施乙", None, "市中级法院、市检察院", None],
]


def _check_office_table(table, shape):
    assert table.shape == shape
    first, continued, second = table.matters
    assert first.section == "一、优化环境" and first.task == "任务甲"
    assert first.lead_units == ("市发展改革委", "市工业和信息化局") and not first.lead_is_default
    assert first.assisting_units == ("市财政局",) and first.placeholders == ("各县区",)
    assert first.deadline == "2025年底前"
    assert continued.number == "1" and continued.lead_units == ("市商务局",)
    assert second.lead_units == ("市中级人民法院",) and second.lead_is_default
    units = {u.name: u for u in table.units}
    assert not units["各县区"].routable


def test_xlsx_fixture(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["某市任务分工表"])
    for values in [HEADER, *ROWS]:
        sheet.append(values)
    path = tmp_path / "division.xlsx"
    book.save(path)
    table = tables.parse_file(path)
    _check_office_table(table, "xlsx")
    assert table.matters[0].lines == (4, 4) and table.source == "division.xlsx"


def test_docx_table_fixture(tmp_path):
    document = docx.Document()
    document.add_paragraph("某市任务分工表")
    grid = document.add_table(rows=1 + len(ROWS), cols=len(HEADER))
    for r, values in enumerate([HEADER, *ROWS]):
        for c, value in enumerate(values):
            grid.cell(r, c).text = "" if value is None else str(value)
    path = tmp_path / "division.docx"
    document.save(path)
    _check_office_table(tables.parse_file(path), "docx")


def test_docx_without_table_reads_paragraphs(tmp_path):
    document = docx.Document()
    for line in NOTES.splitlines():
        document.add_paragraph(line)
    path = tmp_path / "plan.docx"
    document.save(path)
    table = tables.parse_file(path)
    assert table.shape == "numbered_notes" and len(table.matters) == 3


def test_docx_without_any_table_is_refused(tmp_path):
    document = docx.Document()
    document.add_paragraph("新闻发布会实录")
    path = tmp_path / "press.docx"
    document.save(path)
    with pytest.raises(tables.TableError):
        tables.parse_file(path)


def test_binary_text_file_is_refused(tmp_path):
    path = tmp_path / "table.txt"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(tables.TableError) as caught:
        tables.parse_file(path)
    assert caught.value.line == 1
