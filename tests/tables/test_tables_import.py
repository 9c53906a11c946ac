"""Importing the four real tables into the database and reading them back with `flask tables show`."""
import json

import pytest
from sqlalchemy import func, select

import tables
from kernel.db import db
from models import City, DivisionTable, Matter, MatterUnit, Unit, UnitAlias
from tables import territories
from tables.cli import tables as tables_cli
from tables.importer import import_table
from tests.conftest import SHARED

SEEDS = SHARED / "seeds"
JINCHANG, XINMI, SHUOZHOU, GANZHOU, PRESS = (
    "000_e8af529a3e52d661.txt", "001_3157cc40575f03a0.txt", "002_0bc76a5a651969c0.txt",
    "003_708032cc1c019027.txt", "004_745223633ba67628.txt",
)
# Per seed: city, code, shape, matters, units, routable units, defaulted leads (as the parser finds them).
FIGURES = {
    JINCHANG: ("金昌", "JC", "tab_cells", 85, 54, 46, 37),
    XINMI: ("新密", "XM", "numbered_notes", 63, 48, 34, 32),
    SHUOZHOU: ("朔州", "SZ", "numbered_notes", 48, 44, 35, 5),
    GANZHOU: ("赣州", "GZ", "tsv", 113, 51, 49, 35),
}
seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not present")


@pytest.fixture
def run(app, database):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(tables_cli, list(args))


def show(run, city: str) -> dict:
    result = run("show", "--city", city, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@seeds
@pytest.mark.parametrize("name", FIGURES)
def test_cli_import_prints_the_figures(run, name):
    city, code, shape, matters, units, routable, defaults = FIGURES[name]
    result = run("import", str(SEEDS / name), "--city", city)
    assert result.exit_code == 0, result.output
    assert f"{city} 任务分工表第 1 版（{name}，格式 {shape}）" in result.output
    assert f"事项 {matters} 条；单位 {units} 个，其中可分拨 {routable} 个" in result.output
    assert f"表中写明牵头单位 {matters - defaults} 条；未写明、默认取首个单位 {defaults} 条" in result.output
    assert "未能归入事项的行 0 行" in result.output
    assert "写入事项" in result.stderr  # the progress bar, beside the report on stdout
    assert db.session.scalar(select(City.code).where(City.name == city)) == code


@seeds
@pytest.mark.parametrize("name", FIGURES)
def test_show_json_is_the_parsed_table(run, name):
    """The stored table read back is exactly what the parser (pinned in test_tables_seeds) found."""
    city, _, shape, matters, units, routable, defaults = FIGURES[name]
    report = import_table(city, SEEDS / name)
    parsed = tables.parse_file(SEEDS / name)
    shown = show(run, city)
    assert (shown["city"], shown["version"], shown["source"], shown["shape"]) == (city, 1, name, shape)
    assert (report.rows, report.units, report.routable, report.leads_default) == (matters, units, routable, defaults)
    # the register also holds the city's territorial units the table does not name (tables/territories.json)
    territorial = [u for u in shown["units"] if u["name"] not in {p.name for p in parsed.units}]
    assert {u["kind"] for u in territorial} <= {"jurisdiction"} and not any(u["routable"] for u in territorial)
    assert len(shown["units"]) - len(territorial) == units and sum(u["routable"] for u in shown["units"]) == routable
    assert len(shown["matters"]) == matters and sum(m["lead_is_default"] for m in shown["matters"]) == defaults
    named = [u for u in shown["units"] if u not in territorial]
    assert [(u["name"], u["kind"], u["routable"]) for u in named] == [(u.name, u.kind, u.routable) for u in parsed.units]
    # a territorial unit the table names may have gained spellings from tables/territories.json
    assert all(set(p.aliases) <= set(u["aliases"]) for u, p in zip(named, parsed.units, strict=True))
    assert [u["aliases"] for u in named if u["kind"] != "jurisdiction"] == [
        list(u.aliases) for u in parsed.units if u.kind != "jurisdiction"]
    assert shown["matters"] == [{
        "part": m.part, "number": m.number, "section": m.section, "task": m.task, "upper_measure": m.upper_measure,
        "measure": m.measure, "lead_units": list(m.lead_units), "assisting_units": list(m.assisting_units),
        "placeholders": list(m.placeholders), "lead_is_default": m.lead_is_default, "deadline": m.deadline,
        "source": name, "lines": list(m.lines)} for m in parsed.matters]


@seeds
def test_every_seed_in_one_database_keeps_a_register_per_city(database):
    for name, (city, *_rest) in FIGURES.items():
        import_table(city, SEEDS / name)
    db.session.commit()
    for city, code, _shape, matters, units, routable, _defaults in FIGURES.values():
        city_id = db.session.scalar(select(City.id).where(City.name == city, City.code == code))
        register = db.session.scalars(select(Unit).where(Unit.city_id == city_id)).all()
        coded = {u.name: u.division_code for u in register if u.division_code}
        assert set(coded) == {e["name"] for e in territories.entries(city)}, "every territory, with its code"
        assert len(register) == units + len(set(coded) - {u.name for u in register if u.id in named_ids(city_id)})
        assert sum(u.routable for u in register) == routable
        assert not [u.name for u in register if u.kind in ("placeholder", "jurisdiction") and u.routable]
        spellings = db.session.scalars(select(UnitAlias.alias).where(UnitAlias.city_id == city_id)).all()
        assert not set(spellings) & {u.name for u in register}, "an alias is another unit's name"
        # every unit named in a row is a unit of this city's register
        named = named_ids(city_id)
        assert named <= {u.id for u in register} and len(named) == units
        assert db.session.scalar(select(func.count(Matter.id)).join(DivisionTable)
                                 .where(DivisionTable.city_id == city_id)) == matters
    assert db.session.scalar(select(func.count(Unit.id)).where(Unit.name == "市发展改革委")) == 4


def named_ids(city_id: int) -> set[int]:
    return set(db.session.scalars(
        select(MatterUnit.unit_id).join(Matter).join(DivisionTable).where(DivisionTable.city_id == city_id)))


@seeds
def test_jinchang_rows_as_stored(run):
    import_table("金昌", SEEDS / JINCHANG)
    matters = {(m["part"], m["number"]): m for m in show(run, "金昌")["matters"]}
    first = matters[("附件1", "1")]
    assert first["lines"] == [39, 45] and first["task"] == "凝聚共识支持民营经济发展"
    assert first["lead_units"] == ["市委宣传部"] and first["lead_is_default"]
    assert matters[("附件2", "4")]["lead_units"] == ["市市场监督管理局", "市工业和信息化局", "市科技局"]
    assert not matters[("附件2", "4")]["lead_is_default"]
    nobody = matters[("附件2", "1")]
    assert nobody["lead_units"] == [] and nobody["lead_is_default"]
    assert nobody["deadline"] == "每年年底前完成年均增速目标"


@seeds
def test_a_file_without_a_table_is_refused(run):
    result = run("import", str(SEEDS / PRESS), "--city", "金昌")
    assert result.exit_code == 1
    assert "导入失败：第1行：文件中没有找到任务分工表" in result.output
    assert db.session.scalar(select(City.id).where(City.name == "金昌")) is None
    assert run("import", str(SEEDS / JINCHANG), "--city", "金昌").exit_code == 0
    assert run("import", str(SEEDS / PRESS), "--city", "金昌").exit_code == 1
    assert show(run, "金昌")["version"] == 1


def test_city_codes(run, table_file):
    from tests.tables.conftest import V1

    path = str(table_file(V1))
    unknown = run("import", path, "--city", "玉门")
    assert unknown.exit_code == 1 and "未知城市「玉门」：请用 --code" in unknown.output
    assert "应为1至8个大写字母" in run("import", path, "--city", "玉门", "--code", "ym").output
    assert run("import", path, "--city", "玉门", "--code", "YM").exit_code == 0
    assert "已被「玉门」使用" in run("import", path, "--city", "嘉峪关", "--code", "YM").output
    assert "不能改为 YX" in run("import", path, "--city", "玉门", "--code", "YX").output
    assert db.session.scalar(select(func.count(City.id))) == 1


def test_show_errors(run, table_file):
    assert "没有城市「火星」" in run("show", "--city", "火星").output
    db.session.add(City(name="玉门", code="YM"))
    db.session.commit()
    assert "玉门尚未导入任务分工表" in run("show", "--city", "玉门").output


def test_show_text(run, table_file):
    from tests.tables.conftest import V1

    import_table("金昌", table_file(V1))
    lines = run("show", "--city", "金昌").stdout.splitlines()
    assert lines[0] == "金昌 任务分工表第 1 版（table.txt）"
    assert "  市统计局（department，可分拨） 别名：市統計局、統計局、统计局" in lines
    assert "  第2项 第2-2行 牵头：市工业和信息化局（默认） 配合：市税务局" in lines
    assert "  第4项 第4-4行 牵头：（无）（默认）" in lines


def test_cli_prints_every_line_it_could_not_place(run, table_file):
    from tests.tables.conftest import V1

    stray = V1.replace("3.第三项", "这一行不属于任何措施\n3.第三项")
    result = run("import", str(table_file(stray)), "--city", "金昌")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-2:] == ["未能归入事项的行 1 行：", "  第3行：这一行不属于任何措施"]
    assert "新增单位 7 个：市发展改革委、市财政局、金川区、市工业和信息化局、市税务局、市统计局、各县区" in result.output


def test_cli_reimport_names_new_and_retired_units(run, table_file):
    from tests.tables.conftest import V1, V2

    assert run("import", str(table_file(V1, "v1.txt")), "--city", "金昌").exit_code == 0
    lines = run("import", str(table_file(V2, "v2.txt")), "--city", "金昌").stdout.splitlines()
    assert lines[0] == "金昌 任务分工表第 2 版（v2.txt，格式 numbered_notes）"
    assert lines[3:5] == ["新增单位 1 个：市审计局", "停用单位 1 个：市统计局"]
