"""knowledge(city_id): the current table as plain data, as the router reads it."""
from kernel.db import db
from routing.knowledge import from_parsed
from tables.corrections import correct_leads
from tables.importer import import_table
from tables.queries import knowledge
from tests.tables.conftest import V2


def test_nothing_before_the_first_import(world):
    assert knowledge(world.city.id) is None


def test_current_version_with_units_and_matters(imported, table_file):
    stored = knowledge(imported.city.id)
    assert (stored.city, stored.version, stored.table_id, stored.shape) == ("金昌", 1, imported.v1.table_id,
                                                                        "numbered_notes")
    assert [u.name for u in stored.units] == ["市工业和信息化局", "各县区", "市发展改革委", "市财政局", "金川区",
                                              "市税务局", "市统计局", "永昌县", "金昌经开区"]
    # retired hand-made units left out; the territories the table does not name added (tables/territories.json)
    gxj = stored.units[0]
    assert (gxj.kind, gxj.routable) == ("department", True) and "市工信局" in gxj.aliases
    fourth = stored.matters[3]
    assert (fourth.lead_units, fourth.placeholders, fourth.lead_is_default) == ((), ("各县区",), True)
    import_table("金昌", table_file(V2))
    assert knowledge(imported.city.id).version == 2
    assert knowledge(imported.city.id).matters[3].lead_units == ("市审计局",)


def test_the_router_reads_it_as_a_parsed_table(imported):
    admin, _ = imported.user("admin")
    from models import Matter

    second = db.session.query(Matter).filter_by(table_id=imported.v1.table_id, number="2").one()
    correct_leads(second, ["市税务局"], admin)
    base = from_parsed("金昌", knowledge(imported.city.id))
    assert "各县区" not in base.routable_units() and "金川区" not in base.routable_units()
    assert [(m.leads, m.assisting) for m in base.matters] == [
        (("市发展改革委",), ("市财政局",)), (("市税务局",), ("市工业和信息化局",)), (("市统计局",), ())]
    assert base.canonical()["工信局"] == "市工业和信息化局"
