"""Re-import: new versions, retired and revived units, alias conflicts, corrections that survive."""
import pytest
from sqlalchemy import select

from kernel.db import db
from models import AliasRemoval, Appeal, DivisionTable, LeadCorrection, Matter, Unit, UnitAlias
from tables.corrections import add_alias, correct_leads, correct_unit, remove_alias
from tables.importer import import_table
from tables.model import TableError
from tables.queries import current_table, knowledge
from tests.factories import appeal_body
from tests.tables.conftest import V1, V2


def unit(world, name) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.city_id == world.city.id, Unit.name == name))


def stored_matter(world, number: str) -> Matter:
    table = current_table(world.city.id)
    return db.session.scalar(select(Matter).where(Matter.table_id == table.id, Matter.number == number))


def test_first_import_renames_hand_made_units_and_retires_the_rest(imported):
    world = imported
    assert world.v1.version == 1 and world.v1.rows == 4
    gxj = world.units["市工信局"]
    db.session.refresh(gxj)
    assert gxj.name == "市工业和信息化局" and gxj.retired_at is None  # same row, users stay bound
    assert "市工信局" in [a.alias for a in gxj.aliases]
    assert set(world.v1.retired_units) == {"市市场监督管理局", "市人力资源和社会保障局", "市中级人民法院"}
    assert unit(world, "各县区").kind == "placeholder" and not unit(world, "各县区").routable
    assert unit(world, "金川区").kind == "jurisdiction" and not unit(world, "金川区").routable


def test_reimport_makes_a_new_version_and_retires_units_that_disappear(imported, table_file, client):
    world = imported
    _, headers = world.user("operator")
    number = client.post("/api/v1/appeals", json=appeal_body(), headers=headers).get_json()["number"]
    appeal = db.session.scalar(select(Appeal).where(Appeal.number == number))
    stats = unit(world, "市统计局")
    appeal.division_table_id, appeal.lead_unit_id = world.v1.table_id, stats.id
    db.session.commit()

    report = import_table("金昌", table_file(V2, "v2.txt"))
    db.session.commit()
    assert (report.version, report.rows, report.new_units, report.retired_units) == (2, 4, ("市审计局",), ("市统计局",))
    db.session.refresh(appeal)
    assert appeal.division_table_id == world.v1.table_id and appeal.lead_unit_id == stats.id
    assert stats.retired_at is not None and db.session.get(Unit, stats.id) is stats  # retired, not deleted
    v1 = db.session.get(DivisionTable, world.v1.table_id)
    assert [m.number for m in v1.matters] == ["1", "2", "3", "4"] and v1.matters[2].units[0].unit is stats
    assert current_table(world.city.id).id == report.table_id
    assert "市统计局" not in [u.name for u in knowledge(world.city.id).units]

    again = import_table("金昌", table_file(V1, "v3.txt"))
    assert (again.version, again.revived_units, again.retired_units) == (3, ("市统计局",), ("市审计局",))
    assert stats.retired_at is None


def test_an_alias_naming_two_units_is_refused_with_its_line(imported, table_file):
    add_alias(unit(imported, "市统计局"), "审计局")  # an admin's slip: 审计局 now means 市统计局
    db.session.commit()
    with pytest.raises(TableError) as caught:
        import_table("金昌", table_file(V2))
    assert caught.value.line == 4
    assert caught.value.message_zh == "别名“审计局”同时指向“市统计局”和“市审计局”，请在表中写明全称"


def test_a_known_alias_keeps_meaning_its_unit(imported, table_file):
    add_alias(unit(imported, "市统计局"), "市审计局")
    report = import_table("金昌", table_file(V2))
    assert report.new_units == () and report.retired_units == ()
    assert knowledge(imported.city.id).matters[3].lead_units == ("市统计局",)


def test_a_parsed_table_with_a_conflicting_alias_is_refused(imported, table_file):
    """A ParsedTable made without the aliases on record is checked against them too."""
    import tables

    add_alias(unit(imported, "市统计局"), "审计局")
    with pytest.raises(TableError) as caught:
        import_table("金昌", tables.parse_file(table_file(V2)))
    assert caught.value.line == 4 and "“审计局”同时指向“市统计局”和“市审计局”" in caught.value.message_zh


def test_lead_correction_survives_reimport(imported, table_file):
    admin, _ = imported.user("admin")
    correct_leads(stored_matter(imported, "2"), ["市税务局"], admin)
    db.session.commit()
    report = import_table("金昌", table_file(V2))
    assert report.leads_corrected == 1
    second = knowledge(imported.city.id).matters[1]
    assert second.measure == "第二项措施。内容二。"
    assert (second.lead_units, second.assisting_units, second.lead_is_default) == (
        ("市税务局",), ("市工业和信息化局",), False)
    assert knowledge(imported.city.id).matters[0].lead_units == ("市发展改革委",)  # others untouched


def test_a_unit_an_admin_chose_as_lead_is_not_retired(imported, table_file):
    admin, _ = imported.user("admin")
    correct_leads(stored_matter(imported, "1"), ["市统计局"], admin)
    report = import_table("金昌", table_file(V2))
    assert report.retired_units == ()
    assert knowledge(imported.city.id).matters[0].lead_units == ("市统计局",)


def test_admin_unit_edits_and_removed_aliases_survive_reimport(imported, table_file):
    finance = unit(imported, "市财政局")
    correct_unit(finance, routable=False)
    tax = unit(imported, "市税务局")
    tax.routable = False  # not an admin's correction: the import puts the parser's value back
    remove_alias(finance, "财政局", imported.user("admin")[0])
    db.session.commit()
    import_table("金昌", table_file(V2))
    assert not finance.routable and tax.routable
    assert "财政局" not in [a.alias for a in finance.aliases]
    assert db.session.scalar(select(AliasRemoval.alias).where(AliasRemoval.city_id == imported.city.id)) == "财政局"
    add_alias(finance, "财政局")  # added back by an admin: no longer a removal
    assert db.session.scalar(select(AliasRemoval.id)) is None


def test_a_failed_import_leaves_nothing_behind(imported, table_file, app):
    runner = app.test_cli_runner()
    from tables.cli import tables as tables_cli

    add_alias(unit(imported, "市统计局"), "审计局")
    db.session.commit()
    result = runner.invoke(tables_cli, ["import", str(table_file(V2)), "--city", "金昌"])
    assert result.exit_code == 1 and "导入失败：第4行：别名“审计局”" in result.output
    assert current_table(imported.city.id).version == 1
    assert unit(imported, "市审计局") is None
    assert db.session.scalar(select(UnitAlias.unit_id).where(UnitAlias.alias == "审计局")) == unit(imported, "市统计局").id
    assert db.session.scalar(select(LeadCorrection.id)) is None


def test_text_too_long_for_its_column_is_refused_with_its_line(world, table_file):
    long_name = "市" + "很" * 130 + "局"
    with pytest.raises(TableError) as caught:
        import_table("金昌", table_file(V1 + f"5.第五项措施。内容五。({long_name}负责)\n"))
    assert caught.value.line == 5 and caught.value.message_zh.startswith("单位名称超过128个字")
