"""The supervision office API, the follow-up and extension endpoints, the bulletin downloads."""
import io

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook

from kernel.db import db
from supervision.bulletin import safe_cell
from tests.sla.helpers import dispatched, local


@pytest.fixture
def people(world):
    return {role: world.user(role, unit="市工信局" if role == "handler" else None)[1]
            for role in ("operator", "handler", "supervisor", "admin", "partner")}


@pytest.fixture
def appeals(world):
    late = dispatched(world, local(2026, 11, 2, 9))  # due 9 Nov
    near = dispatched(world, local(2026, 11, 17, 9), unit="市市场监管局", urgency="consult")  # due 19 Nov
    fresh = dispatched(world, local(2026, 11, 18, 9))
    for appeal in (late, near, fresh):  # accepted in time: the colours follow the completion deadline
        appeal.status = "accepted"
    db.session.commit()
    return late, near, fresh


def _numbers(response):
    assert response.status_code == 200, response.get_json()
    return [item["number"] for item in response.get_json()["items"]]


def test_overdue_and_yellow_lists_with_filters(client, people, appeals):
    late, near, fresh = appeals
    h = people["supervisor"]
    with freeze_time(local(2026, 11, 19, 10)):
        assert _numbers(client.get("/api/v1/supervision/appeals?colour=red", headers=h)) == [late.number]
        assert _numbers(client.get("/api/v1/supervision/appeals?colour=yellow", headers=h)) == [near.number]
        assert _numbers(client.get("/api/v1/supervision/appeals?colour=yellow&unit=市工信局", headers=h)) == []
        assert _numbers(client.get("/api/v1/supervision/appeals?colour=red&urgency=consult", headers=h)) == []
        assert _numbers(client.get("/api/v1/supervision/appeals?colour=red&min_age_days=20", headers=h)) == []
        old = client.get("/api/v1/supervision/appeals?colour=red&min_age_days=10", headers=h)
        assert _numbers(old) == [late.number]
        item = client.get("/api/v1/supervision/appeals?colour=red&city=金昌", headers=h).get_json()["items"][0]
        assert (item["colour"], item["label"], item["unit"]) == ("red", "超期", "市工信局")
    assert client.get("/api/v1/supervision/appeals?colour=blue", headers=h).status_code == 400
    assert client.get("/api/v1/supervision/appeals", headers=people["handler"]).status_code == 403


def test_orders_issue_respond_close_and_history(client, people, appeals):
    late = appeals[0]
    issued = client.post("/api/v1/supervision/orders", json={"appeal": late.number, "reason": "请加快办理"},
                         headers=people["supervisor"])
    assert issued.status_code == 201 and issued.get_json()["unit"] == "市工信局"
    order_id = issued.get_json()["id"]
    listed = client.get("/api/v1/supervision/orders", headers=people["handler"]).get_json()
    assert [o["id"] for o in listed] == [order_id]
    responded = client.post(f"/api/v1/supervision/orders/{order_id}/respond", json={"text": "已约企业面谈"},
                            headers=people["handler"])
    assert responded.get_json()["status"] == "responded"
    closed = client.post(f"/api/v1/supervision/orders/{order_id}/close", json={"text": "督办完成"},
                         headers=people["supervisor"])
    assert closed.get_json()["status_label"] == "已办结"
    again = client.post(f"/api/v1/supervision/orders/{order_id}/close", json={"text": "督办完成"},
                        headers=people["supervisor"])
    assert again.status_code == 409 and again.get_json()["message"] == "督办单已办结"
    history = client.get(f"/api/v1/supervision/appeals/{late.number}/history", headers=people["supervisor"]).get_json()
    assert [e["action"] for e in history["events"]][-3:] == [
        "supervision_open", "supervision_respond", "supervision_close"]
    assert history["orders"][0]["conclusion"] == "督办完成"


def test_extension_endpoints(client, people, appeals):
    fresh = appeals[2]  # dispatched Wed 18 Nov, due Wed 25 Nov
    with freeze_time(local(2026, 11, 20, 9)):
        asked = client.post(f"/api/v1/appeals/{fresh.number}/extension", headers=people["handler"],
                            json={"new_due": "2026-11-29", "reason": "需现场核查"})
        assert asked.status_code == 409 and "不是工作日" in asked.get_json()["message"]
        asked = client.post(f"/api/v1/appeals/{fresh.number}/extension", headers=people["handler"],
                            json={"new_due": "2026-11-30", "reason": "需现场核查"})
        assert asked.status_code == 200 and asked.get_json()["sla"]["extension_requested_due"]
        pending = client.get("/api/v1/supervision/extensions", headers=people["supervisor"]).get_json()
        assert [p["number"] for p in pending] == [fresh.number]
        decided = client.post(f"/api/v1/supervision/appeals/{fresh.number}/extension", headers=people["supervisor"],
                              json={"approve": True, "note": "同意"})
    assert decided.status_code == 200
    view = client.get(f"/api/v1/appeals/{fresh.number}", headers=people["handler"]).get_json()["sla"]
    assert view["completion_due"].startswith("2026-11-30T15:59:59") and view["extensions_granted"] == 1


def test_follow_up_endpoint(client, people, world):
    appeal = dispatched(world, local(2026, 11, 23, 9))
    h = people["handler"]
    for step, body in (("accept", {}), ("reply", {"text": "已办理完毕"}), ("close", {})):
        assert client.post(f"/api/v1/appeals/{appeal.number}/{step}", json=body, headers=h).status_code == 200
    bad = client.post(f"/api/v1/appeals/{appeal.number}/follow-up", json={"solved": True}, headers=people["operator"])
    assert bad.status_code == 400 and "rating" in bad.get_json()["errors"]
    done = client.post(f"/api/v1/appeals/{appeal.number}/follow-up", headers=people["operator"],
                       json={"solved": False, "rating": "dissatisfied"})
    assert done.status_code == 200 and done.get_json()["status"] == "dispatched"
    assert done.get_json()["sla"]["colour"] == "green"
    assert client.post(f"/api/v1/appeals/{appeal.number}/follow-up", headers=h,
                       json={"solved": True, "rating": "satisfied"}).status_code == 403


def test_admin_replaces_rules_and_overrides_the_city_calendar(client, people):
    rules = client.get("/api/v1/sla/rules", headers=people["supervisor"]).get_json()
    assert rules["version"] == 1 and rules["rules"]["normal"]["completion"] == {"amount": 5, "unit": "working_days"}
    rules["rules"]["normal"]["completion"]["amount"] = 0
    refused = client.put("/api/v1/sla/rules", json={"rules": rules["rules"]}, headers=people["admin"])
    assert refused.status_code == 400 and "正整数" in refused.get_json()["errors"]["rules"][0]
    rules["rules"]["normal"]["completion"]["amount"] = 4
    replaced = client.put("/api/v1/sla/rules", json={"rules": rules["rules"]}, headers=people["admin"])
    assert replaced.get_json()["version"] == 2
    as_supervisor = client.put("/api/v1/sla/rules", json={"rules": rules["rules"]}, headers=people["supervisor"])
    assert as_supervisor.status_code == 403
    put = client.put("/api/v1/sla/calendar/overrides", json={"day": "2026-12-31", "working": False, "note": "测试"},
                     headers=people["admin"])
    assert put.status_code == 200
    assert client.get("/api/v1/sla/calendar/overrides", headers=people["admin"]).get_json()[0]["day"] == "2026-12-31"
    assert client.delete("/api/v1/sla/calendar/overrides/2026-12-31", headers=people["admin"]).status_code == 204
    assert client.delete("/api/v1/sla/calendar/overrides/2026-12-31", headers=people["admin"]).status_code == 404


def _routed(unit: str, matter: str, **more) -> dict:
    """A routing record as routing/dispatch.py stores it."""
    return {"model_version": 1, "auto": True, "reason": "auto", "top_words": [], **more,
            "candidates": [{"unit": unit, "p": 0.8, "matter": matter}, {"unit": "市人社局", "p": 0.1, "matter": ""}]}


def test_bulletin_json_and_xlsx_are_safe(client, people, world, appeals):
    late, near, fresh = appeals
    late.enterprise_name = "=HYPERLINK(\"http://x\",\"点我\")"
    late.routing = _routed("市工信局", "融资贷款难")
    fresh.routing = _routed("市工信局", "融资贷款难")
    near.routing = _routed("市市场监管局", "", kind="scj")  # the router's own kind, no matter
    db.session.commit()
    with freeze_time(local(2026, 12, 1, 9)):
        data = client.get("/api/v1/supervision/bulletin?month=2026-11", headers=people["supervisor"]).get_json()
        download = client.get("/api/v1/supervision/bulletin.xlsx?month=2026-11", headers=people["supervisor"])
    assert [row["unit"] for row in data["measures"]["units"]] == ["市工信局", "市市场监管局"]
    assert data["overdue"][0]["number"] == late.number and data["overdue"][0]["overdue_days"] == 21
    assert data["topics"] == [
        {"topic": "工信：融资贷款难", "kind": "工信", "matter": "融资贷款难", "appeals": 2},
        {"topic": "市场监管", "kind": "市场监管", "matter": None, "appeals": 1}]
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(download.data))
    assert book.sheetnames == ["单位考核", "属地考核", "超期诉求", "高频诉求", "指标图表"]
    cell = book["超期诉求"]["D3"]
    assert cell.data_type == "s" and cell.value.startswith("'=HYPERLINK")
    assert client.get("/api/v1/supervision/bulletin?month=2026-13", headers=people["supervisor"]).status_code == 400


def test_bulletin_xlsx_is_a_document_to_send(client, people, world, appeals):
    late = appeals[0]
    late.routing = _routed("市工信局", "融资贷款难")
    db.session.commit()
    with freeze_time(local(2026, 12, 1, 9)):
        download = client.get("/api/v1/supervision/bulletin.xlsx?month=2026-11", headers=people["supervisor"])
    book = load_workbook(io.BytesIO(download.data))
    sheet = book["单位考核"]
    assert sheet["A1"].value == "金昌2026年11月企业诉求办理情况通报：单位考核" and sheet["A1"].font.b
    assert [c.value for c in sheet[2]][:3] == ["单位", "诉求数", "响应率"] and all(c.font.b for c in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert [sheet.cell(row, 1).value for row in range(3, 6)] == ["市工信局", "市市场监管局", "金昌（全市）"]
    on_time = sheet.cell(5, 7)  # 按时办结率 of the city: 3 open and overdue
    assert on_time.value == 0 and on_time.number_format == "0.0%"
    assert sheet.column_dimensions["A"].width >= 14 and sheet.column_dimensions["J"].width >= 20
    for name in ("超期诉求", "高频诉求"):
        assert book[name].freeze_panes == "A3" and book[name]["A1"].value.startswith("金昌2026年11月")
    topics = book["高频诉求"]
    assert [c.value for c in topics[3]] == ["未分类", None, 2]  # two appeals the router never saw
    assert [c.value for c in topics[4]] == ["工信", "融资贷款难", 1]
    chart = book["指标图表"]._charts[0]
    assert chart.tagname == "barChart" and len(chart.series) == 4
    assert chart.series[0].val.numRef.f == "'单位考核'!$C$3:$C$5"
    assert chart.series[0].cat.numRef.f == "'单位考核'!$A$3:$A$5"  # unit names as categories


@pytest.mark.parametrize("value, safe", [("=1+1", "'=1+1"), ("+86", "'+86"), ("-x", "'-x"), ("@a", "'@a"),
                                         ("普通文字", "普通文字"), (3, 3), (None, None)])
def test_safe_cell(value, safe):
    assert safe_cell(value) == safe



def test_measures_endpoint_and_weight(client, people, appeals):
    h = people["supervisor"]
    with freeze_time(local(2026, 12, 1, 9)):
        body = client.get("/api/v1/supervision/measures?month=2026-11&fairly_weight=0.5", headers=h).get_json()
    assert body["city"]["appeals"] == 3 and body["city"]["open_overdue"] == 3 and body["city"]["on_time_rate"] == 0.0
    assert client.get("/api/v1/supervision/measures?month=2026-11&fairly_weight=2", headers=h).status_code == 400
    assert client.get("/api/v1/supervision/measures?month=2026-11&city=北京", headers=h).status_code == 403


def test_issue21_2_an_admin_of_another_city_cannot_read_this_city_with_city_argument(client, people, appeals):
    from tests.factories import World

    _, other_admin = World(name="嘉峪关", code="JYG").user("admin")
    late = appeals[0]
    reads = ["/api/v1/supervision/appeals?colour=red", f"/api/v1/supervision/appeals/{late.number}/history",
             "/api/v1/supervision/extensions", "/api/v1/supervision/measures?month=2026-11",
             "/api/v1/supervision/bulletin?month=2026-11", "/api/v1/supervision/bulletin.xlsx?month=2026-11"]
    for url in reads:
        refused = client.get(f"{url}{'&' if '?' in url else '?'}city=金昌", headers=other_admin)
        assert refused.status_code == 403, url
        assert refused.get_json()["message"] == "只能查看本市"
        assert late.number not in refused.get_data(as_text=True)
        # Their own city, named or not, is still theirs; this city's admin still reads it.
        assert client.get(f"{url}{'&' if '?' in url else '?'}city=嘉峪关", headers=other_admin).status_code \
            in (200, 404), url
        assert client.get(f"{url}{'&' if '?' in url else '?'}city=金昌", headers=people["admin"]).status_code == 200


def test_issue21_9_a_city_admin_cannot_replace_the_national_calendar(client, people, world, database):
    """A notice changes every city's deadlines: only `flask sla calendar load` loads one."""
    from sqlalchemy import func, select

    from models import CalendarDay, CalendarYear

    answer = client.post("/api/v1/sla/calendar/notices", headers=people["admin"],
                         json={"year": 2027, "days_off": ["2027-01-01"], "working_days": []})
    assert answer.status_code in (404, 405)
    assert database.session.get(CalendarYear, 2027) is None
    assert database.session.scalar(select(func.count()).select_from(CalendarDay)) == 0
    # The city's own overrides stay with the city.
    client.put("/api/v1/sla/calendar/overrides", json={"day": "2026-12-30", "working": False},
               headers=people["admin"])
    assert database.session.scalars(select(CalendarDay.city_id)).all() == [world.city.id]


def test_issue21_18_an_open_order_follows_the_appeal_to_its_new_unit(client, world, people, appeals):
    late = appeals[0]
    _, dispatcher = world.user("dispatcher")
    _, new_unit = world.user("handler", "市人社局")
    open_id = client.post("/api/v1/supervision/orders", json={"appeal": late.number, "reason": "请加快办理"},
                          headers=people["supervisor"]).get_json()["id"]
    closed_id = client.post("/api/v1/supervision/orders", json={"appeal": late.number, "reason": "第二次督办"},
                            headers=people["supervisor"]).get_json()["id"]
    client.post(f"/api/v1/supervision/orders/{closed_id}/close", json={"text": "督办完成"}, headers=people["supervisor"])
    moved = client.post(f"/api/v1/appeals/{late.number}/assign", json={"lead_unit": "市人社局"}, headers=dispatcher)
    assert moved.status_code == 200, moved.get_json()
    # The new lead unit sees and answers the open order; the unit it left can no longer.
    assert [o["id"] for o in client.get("/api/v1/supervision/orders", headers=new_unit).get_json()] == [open_id]
    assert [o["id"] for o in client.get("/api/v1/supervision/orders", headers=people["handler"]).get_json()] \
        == [closed_id]
    assert client.post(f"/api/v1/supervision/orders/{open_id}/respond", json={"text": "已约企业面谈"},
                       headers=people["handler"]).status_code == 403
    assert client.post(f"/api/v1/supervision/orders/{open_id}/respond", json={"text": "已约企业面谈"},
                       headers=new_unit).status_code == 200
    history = client.get(f"/api/v1/supervision/appeals/{late.number}/history", headers=people["supervisor"]).get_json()
    transfers = [e for e in history["events"] if e["action"] == "supervision_transfer"]
    assert len(transfers) == 1 and transfers[0]["data"] == {"order": open_id, "from_unit": "市工信局",
                                                             "to_unit": "市人社局"}
    assert {o["id"]: o["unit"] for o in history["orders"]} == {open_id: "市人社局", closed_id: "市工信局"}


def test_measures_and_bulletin_by_territory(client, people, world, appeals):
    """属地: the measures per territory (led or co-handled), and the bulletin's 属地考核 sheet."""
    late, near, fresh = appeals
    county = world.unit("永昌县", kind="jurisdiction", routable=False)
    district = world.unit("金川区", kind="jurisdiction", routable=False)
    late.territory_unit, late.territory_source = county, "uscc"
    near.territory_unit, near.territory_source = county, "text"
    fresh.territory_unit, fresh.territory_source = district, "address"
    db.session.commit()
    with freeze_time(local(2026, 12, 1, 9)):
        data = client.get("/api/v1/supervision/bulletin?month=2026-11", headers=people["supervisor"]).get_json()
        download = client.get("/api/v1/supervision/bulletin.xlsx?month=2026-11", headers=people["supervisor"])
    rows = {row["unit"]: row for row in data["measures"]["territories"]}
    assert (rows["永昌县"]["appeals"], rows["金川区"]["appeals"]) == (2, 1)
    assert rows["永昌县"]["open_overdue"] + rows["金川区"]["open_overdue"] == data["measures"]["city"]["open_overdue"]
    sheet = load_workbook(io.BytesIO(download.data))["属地考核"]
    assert sheet["A1"].value == "金昌2026年11月企业诉求办理情况通报：属地考核（县区、开发区）"
    assert [c.value for c in sheet[2]][:2] == ["属地", "诉求数"]
    assert [(sheet.cell(r, 1).value, sheet.cell(r, 2).value) for r in (3, 4)] == [("永昌县", 2), ("金川区", 1)]
