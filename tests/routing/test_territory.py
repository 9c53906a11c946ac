"""属地: an appeal's territory (USCC, address, text), its part in the handling, on the four seed tables."""
import pytest

from intake.validators import uscc_check_character
from kernel.db import db
from kernel.vocabulary import Status
from models import DivisionTable
from routing import dispatch as job
from routing import store, territory
from routing.model import train
from tables.importer import import_table
from tables.territories import entries, is_territorial
from tests.conftest import SHARED
from tests.routing.test_service import (  # noqa: F401
    add_appeal,
    fresh_cache,
    install_model,
    trained_model,
)

SEEDS = SHARED / "seeds"
seeds = pytest.mark.skipif(not SEEDS.exists(), reason="seed tables not available")
ARREARS = "我公司承建的乡镇政府道路硬化工程，项目款至今拖欠未付，涉及金额八十万元，请督促支付中小企业账款。"
T = [territory.Territory(1, "金川区", ("620302",), ("金川区", "金川区人民政府")),
     territory.Territory(2, "永昌县", ("620321",), ("永昌县",)),
     territory.Territory(3, "金昌经开区", ("620300K1",), ("金昌经开区", "经开区", "金昌经济技术开发区"))]


def uscc(first17: str) -> str:
    return first17 + uscc_check_character(first17)


def test_the_uscc_gives_the_registering_territory():
    assert territory.from_uscc(uscc("91620321MA71K2Q8L"), T).name == "永昌县"
    assert territory.from_uscc(uscc("91620300MA71K2Q8L"), T) is None  # registered with the city
    assert territory.from_uscc(None, T) is None and territory.from_uscc("123", T) is None


def test_place_names_in_text_and_address():
    assert territory.from_text("经开区纬二路的厂房停水三天", T).name == "金昌经开区"
    assert territory.from_text("金昌经济技术开发区管委会", T).name == "金昌经开区"  # the longest spelling
    assert territory.from_text("先在永昌县，后搬到金川区", T).name == "永昌县"  # the first named
    assert territory.from_text("金川集团", T) is None  # no bare stems: 金川 is also an enterprise
    placed = territory.locate("金川区新华路8号", "永昌县的项目", uscc("91620321MA71K2Q8L"), T)
    assert (placed.territory.name, placed.source) == ("金川区", "address")
    placed = territory.locate(None, "永昌县的项目", uscc("91620302MA71K2Q8L"), T)
    assert (placed.territory.name, placed.source) == ("永昌县", "text")
    placed = territory.locate("", "项目款拖欠", uscc("91620302MA71K2Q8L"), T)
    assert (placed.territory.name, placed.source) == ("金川区", "uscc")
    assert territory.locate(None, "项目款拖欠", None, T) is None


@pytest.mark.parametrize(("city", "text", "row", "expected"), [
    ("赣州", ARREARS, False, ("assisting", "local")),
    ("赣州", "园区内停电两天，厂里无法生产", False, ("assisting", "local")),
    ("朔州", "县政务服务大厅办营业执照窗口推诿", False, ("lead", "territory_leads")),
    ("朔州", "增值税留抵退税迟迟不到账", False, (None, "not_local")),
    ("朔州", "增值税留抵退税迟迟不到账", True, ("assisting", "table_row")),
    ("金昌", "增值税留抵退税迟迟不到账", False, ("assisting", "all_rows")),
    ("新密", "超化镇上的道路施工影响企业进出", False, ("assisting", "local")),
])
def test_the_rules_per_city(city, text, row, expected):
    assert territory.role(text, row, True, territory.rules_for(city)) == expected


def test_without_a_department_the_dispatcher_decides():
    assert territory.role(ARREARS, True, False, territory.rules_for("金昌")) == (None, "no_lead")


def counties(world):
    for entry in entries("金昌"):
        unit = world.unit(entry["name"], kind="jurisdiction", routable=False)
        unit.division_code = entry["code"]
    db.session.commit()


def test_dispatch_gives_the_lead_department_and_the_territory_as_co_handler(world):
    counties(world)
    install_model(world, trained_model(threshold=0.0))
    appeal = add_appeal(world, text=ARREARS, enterprise_uscc=uscc("91620321MA71K2Q8L"))
    job.dispatch_appeal(appeal.id)
    db.session.commit()
    assert (appeal.status, appeal.lead_unit.name) == (Status.dispatched, "市工信局")
    assert [u.name for u in appeal.assisting_units] == ["永昌县"]
    assert (appeal.territory_unit.name, appeal.territory_source) == ("永昌县", "uscc")
    assert appeal.routing["territory"] == {"unit": "永昌县", "source": "uscc", "role": "assisting", "why": "all_rows"}
    assert appeal.events[-1].data["assisting_units"] == ["永昌县"]


def test_a_purely_local_matter_is_led_by_the_territory(world):
    counties(world)
    install_model(world, trained_model(threshold=0.0))
    appeal = add_appeal(world, text="金川区政务服务中心办理营业执照变更登记，窗口一直推诿不办", enterprise_uscc=None)
    job.dispatch_appeal(appeal.id)
    db.session.commit()
    assert appeal.lead_unit.name == "金川区" and [u.name for u in appeal.assisting_units] == ["市市场监管局"]
    assert appeal.territory_source == "text"


def test_the_territory_is_recorded_for_the_dispatcher_when_routing_is_manual(world):
    counties(world)
    appeal = add_appeal(world, text="金昌经开区纬二路的厂房停水三天", enterprise_uscc=None)
    job.dispatch_appeal(appeal.id)  # no model: manual dispatch
    db.session.commit()
    assert appeal.status == Status.manual and appeal.assisting_units == []
    assert (appeal.territory_unit.name, appeal.territory_source) == ("金昌经开区", "text")


@seeds
def test_on_the_jinchang_seed_table(world):
    """How it is checked: 永昌县 USCC + a township's arrears; 金川区 named in the text without a USCC."""
    report = import_table("金昌", SEEDS / "000_e8af529a3e52d661.txt")
    db.session.commit()
    model = train(store.training(world.city.id).kb)
    model.threshold = 0.0
    install_model(world, model, db.session.get(DivisionTable, report.table_id))
    first = add_appeal(world, text=ARREARS, enterprise_uscc=uscc("91620321MA71K2Q8L"))
    job.dispatch_appeal(first.id)
    second = add_appeal(world, text="金川区的企业反映，办理施工许可证跑了好几趟还没办下来。", enterprise_uscc=None,
                        enterprise_name="另一家公司")
    job.dispatch_appeal(second.id)
    db.session.commit()
    assert first.status == Status.dispatched and first.lead_unit.kind == "department" and first.lead_unit.routable
    assert "永昌县" in [u.name for u in first.assisting_units] and first.territory_source == "uscc"
    assert first.territory_unit.division_code == "620321"
    assert (second.territory_unit.name, second.territory_source) == ("金川区", "text")
    assert "金川区" in [u.name for u in second.assisting_units]


@seeds
@pytest.mark.parametrize(("name", "city", "code", "text", "expected"), [
    ("001_3157cc40575f03a0.txt", "新密", "91410183MA44K2Q8L", "超化镇的厂区门口道路坑洼", ("超化镇", "text")),
    ("002_0bc76a5a651969c0.txt", "朔州", "91140624MA44K2Q8L", "项目款拖欠", ("怀仁市", "uscc")),  # former code
    ("002_0bc76a5a651969c0.txt", "朔州", "91140600MA44K2Q8L", "朔州经开区的厂房停电", ("朔州经济开发区", "text")),
    ("003_708032cc1c019027.txt", "赣州", "91360781MA44K2Q8L", "项目款拖欠", ("瑞金市", "uscc")),
    ("003_708032cc1c019027.txt", "赣州", "91360727MA44K2Q8L", "项目款拖欠", ("龙南市", "uscc")),  # former code
])
def test_territories_on_the_other_seed_tables(database, name, city, code, text, expected):
    import_table(city, SEEDS / name)
    appeal = add_appeal_in(city, text, uscc(code))
    placed = job.place(appeal)
    assert (placed.territory.name, placed.source) == expected
    assert appeal.territory_unit.id == placed.territory.id


def add_appeal_in(city_name, text, code):
    from models import Appeal, City
    city = db.session.query(City).filter_by(name=city_name).one()
    appeal = Appeal(number=f"T-{city.code}-{len(text)}", city=city, channel="web", enterprise_name="某公司",
                    enterprise_uscc=code, complainant_name="张", complainant_phone="13812341234",
                    complainant_phone_hash="h", text=text, assisting_units=[])
    db.session.add(appeal)
    db.session.flush()
    return appeal


@seeds
def test_territorial_placeholders_of_the_seed_tables():
    """新密's 各乡镇政府 and 街道办事处, 朔州's 各县（市、区）人民政府 stand for the territories; 各有关部门 does not."""
    import tables
    found = {}
    for name in ("001_3157cc40575f03a0.txt", "002_0bc76a5a651969c0.txt"):
        for matter in tables.parse_file(SEEDS / name).matters:
            for placeholder in matter.placeholders:
                found[placeholder] = is_territorial(placeholder)
    assert {p for p, yes in found.items() if yes} == {
        "各乡镇政府", "街道办事处", "各有关乡镇政府", "各县（市、区）人民政府", "县（市、区）人民政府", "各县（市、区）"}


def test_the_dispatcher_corrects_the_territory(client, world):
    counties(world)
    install_model(world, trained_model(threshold=0.0))
    appeal = add_appeal(world, text=ARREARS, enterprise_uscc=uscc("91620321MA71K2Q8L"))
    job.dispatch_appeal(appeal.id)
    db.session.commit()
    _, dispatcher = world.user("dispatcher")
    url = f"/api/v1/appeals/{appeal.number}/territory"
    body = client.post(url, json={"unit": "金川区", "reason": "工程在金川区"}, headers=dispatcher).get_json()
    assert (body["territory"], body["territory_source"], body["assisting_units"]) == ("金川区", "dispatcher", ["金川区"])
    event = appeal.events[-1]
    assert (event.action, event.data["from"], event.data["to"], event.reason) == (
        "set_territory", "永昌县", "金川区", "工程在金川区")
    wrong = client.post(url, json={"unit": "市工信局", "reason": "试试"}, headers=dispatcher)
    assert wrong.status_code == 400 and "不是属地单位" in wrong.get_json()["errors"]["unit"][0]
    assert client.post(url, json={"unit": "金川区", "reason": "再改"}, headers=dispatcher).status_code == 409
    _, handler = world.user("handler", "金川区")
    listed = client.get("/api/v1/appeals", headers=handler).get_json()
    assert appeal.number in [a["number"] for a in listed["items"]]  # the 属地 co-handler sees it in its queue
    _, operator = world.user("operator")
    assert client.post(url, json={"unit": None, "reason": "不属本市"}, headers=operator).status_code == 403


def test_the_dispatcher_may_give_a_territory_the_lead(client, world):
    counties(world)
    appeal = add_appeal(world, text="金昌经开区的厂房停水三天", enterprise_uscc=None, status=Status.manual)
    _, dispatcher = world.user("dispatcher")
    body = client.post(f"/api/v1/appeals/{appeal.number}/assign",
                       json={"lead_unit": "金昌经开区", "assisting_units": ["市工信局"], "reason": "园区供水"},
                       headers=dispatcher)
    assert body.status_code == 200 and body.get_json()["lead_unit"] == "金昌经开区"
    _, handler = world.user("handler", "金昌经开区")
    accepted = client.post(f"/api/v1/appeals/{appeal.number}/accept", json={}, headers=handler)
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
