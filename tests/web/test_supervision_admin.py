"""Supervision office pages and user administration."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from kernel.db import db
from models import Appeal, SupervisionOrder, User
from models.base import utcnow
from sla.calendar import to_local
from sla.service import city_calendar
from tests.web.test_flow import _dispatched


def test_overdue_list_orders_and_dashboard(world, browser, staff, logged_call):
    number = _dispatched(browser, staff, logged_call)
    appeal = db.session.scalar(select(Appeal).where(Appeal.number == number))
    appeal.clock.completion_due = utcnow() - timedelta(hours=1)
    db.session.commit()
    staff("supervisor")
    red = browser.get("/supervision?tab=red").get_data(as_text=True)
    assert number in red and "超期" in red
    response = browser.post_form("/supervision?tab=orders", "/supervision/orders",
                                 {"appeal": number, "reason": "超期未办结，请加快办理"})
    assert response.status_code == 302
    order = db.session.scalar(select(SupervisionOrder))
    assert order.kind == "manual" and order.appeal_id == appeal.id
    orders = browser.get("/supervision?tab=orders").get_data(as_text=True)
    assert "超期未办结，请加快办理" in orders
    closed = browser.post_form("/supervision?tab=orders", f"/supervision/orders/{order.id}/close",
                               {"text": "已督促办结"})
    assert closed.status_code == 302 and order.status == "closed"
    appeal.territory_unit = world.unit("永昌县", kind="jurisdiction", routable=False)
    db.session.commit()
    dashboard = browser.get("/supervision/dashboard").get_data(as_text=True)
    assert "<svg" in dashboard and "市工信局" in dashboard and "按时办结率" in dashboard
    territories = dashboard[dashboard.index('id="territory-measures"'):]
    assert "<tr><td>永昌县</td><td class=\"num\">1</td>" in territories[:territories.index("</table>")]
    unit = appeal.lead_unit
    month = to_local(appeal.received_at).strftime("%Y-%m")
    trend = browser.get("/supervision/dashboard", query_string={"month": month, "unit": unit.id})
    page = trend.get_data(as_text=True)
    assert "近6个月市工信局指标" in page
    assert f"<tr><td>{month}</td><td class=\"num\">1</td>" in page
    other = browser.get("/supervision/dashboard", query_string={"month": month, "unit": 999999})
    assert "近6个月全市指标" in other.get_data(as_text=True)
    # The unit filter applies to the whole page: figures, table and bars of that unit alone.
    quiet = world.units["市人社局"]
    page = browser.get("/supervision/dashboard", query_string={"month": month, "unit": quiet.id}).get_data(
        as_text=True)
    table = page[page.index('id="unit-measures"'):page.index("</tbody>")]
    assert "市人社局" in table and "市工信局" not in table
    cards = page[page.index('id="city-figures"'):page.index('class="legend"')]
    assert '<div class="value">0</div>' in cards


def test_chart_keeps_long_unit_names_whole_and_shows_zero_bars():
    from web.charts import grouped_bars

    name = "金昌市市场监督管理局经济技术开发区分局"
    svg = grouped_bars([{"unit": name, "response_rate": 0.0, "on_time_rate": 1.0, "resolution_rate": None}],
                       "unit", "各单位")
    assert f">{name}</text>" in svg
    assert svg.count("<rect") == 2 and 'height="2.0"><title>' + name + " 响应率 0.0%" in svg
    height = float(re.search(r'viewBox="0 0 [\d.]+ ([\d.]+)"', svg)[1])
    left = float(re.search(r'<line x1="([\d.]+)"', svg)[1])
    # The label, turned 40°, runs left and down from its group's centre: it must stay inside.
    reach = len(name) * 11
    assert left + 9 * 4 / 2 + 7 - reach * 0.766 >= 0 and height >= 12 + 160 + reach * 0.643


def test_issuing_an_order_for_an_unknown_appeal_shows_the_error(browser, staff):
    staff("supervisor")
    response = browser.post_form("/supervision?tab=orders", "/supervision/orders",
                                 {"appeal": "JC20990101-000001", "reason": "督办"})
    assert response.status_code == 400 and 'id="appeal-error">未找到诉求' in response.get_data(as_text=True)


def test_extension_request_and_approval(browser, staff, logged_call):
    number = _dispatched(browser, staff, logged_call)
    staff("handler", "市工信局")
    page = f"/appeals/{number}"
    browser.post_form(page, f"{page}/accept", {"note": ""})
    appeal = db.session.scalar(select(Appeal).where(Appeal.number == number))
    calendar = city_calendar(appeal.city_id)
    new_due = calendar.add_working_days(to_local(appeal.clock.completion_due), 2).date().isoformat()
    asked = browser.post_form(page, f"/appeals/{number}/extension", {"new_due": new_due, "reason": "需协调多家银行"})
    assert asked.status_code == 302, asked.get_data(as_text=True)
    staff("supervisor")
    pending = browser.get("/supervision?tab=extensions").get_data(as_text=True)
    assert number in pending and "需协调多家银行" in pending
    decided = browser.post_form("/supervision?tab=extensions", f"/supervision/extensions/{number}",
                                {"approve": "1", "note": "同意"})
    assert decided.status_code == 302
    assert appeal.clock.extensions_granted == 1 and appeal.clock.extension_due is None


def test_bulletin_downloads_as_xlsx(browser, staff):
    staff("supervisor")
    response = browser.get("/supervision/bulletin?month=2026-11")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert "attachment" in response.headers["Content-Disposition"]


@pytest.mark.parametrize("page", ["/supervision/bulletin", "/supervision/dashboard"])
def test_a_wrong_month_is_refused_not_replaced(browser, staff, page):
    staff("supervisor")
    response = browser.get(page, query_string={"month": "xx"})
    assert response.status_code == 400 and "月份应为 YYYY-MM" in response.get_data(as_text=True)


def test_admin_creates_a_handler_who_can_sign_in(world, browser, staff):
    staff("admin")
    unit = world.units["市人社局"]
    missing_unit = browser.post_form("/admin/users", "/admin/users", {"username": "rsj-li", "role": "handler",
                                                                     "unit": "", "password": "Secret12345"})
    assert missing_unit.status_code == 400 and "承办人必须绑定一个单位" in missing_unit.get_data(as_text=True)
    weak = browser.post_form("/admin/users", "/admin/users", {"username": "rsj-li", "role": "handler",
                                                             "unit": str(unit.id), "password": "short"})
    assert weak.status_code == 400 and 'id="password-error">密码至少8位' in weak.get_data(as_text=True)
    created = browser.post_form("/admin/users", "/admin/users", {"username": "rsj-li", "display_name": "李科长",
                                                                "role": "handler", "unit": str(unit.id),
                                                                "password": "Secret12345"})
    assert created.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "rsj-li"))
    assert user.unit_id == unit.id
    browser.post_form("/admin/users", "/logout", {})
    assert browser.sign_in(user, "Secret12345").headers["Location"] == "/unit"


def test_admin_rebinds_unlocks_and_deactivates(world, browser, staff):
    admin = staff("admin")
    handler, _ = world.user("handler", "市工信局")
    handler.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    page = f"/admin/users/{handler.id}"
    response = browser.post_form(page, page, {"display_name": "改派", "unit": str(world.units["市人社局"].id),
                                              "unlock": "1"})
    assert response.status_code == 302
    assert handler.unit_id == world.units["市人社局"].id and handler.locked_until is None and not handler.active
    own = f"/admin/users/{admin.id}"
    refused = browser.post_form(own, own, {"display_name": "我"})
    assert refused.status_code == 400 and "不能停用自己的账号" in refused.get_data(as_text=True)


def test_supervisor_issues_an_order_from_the_appeal_page(browser, staff, logged_call):
    number = _dispatched(browser, staff, logged_call)
    staff("supervisor")
    page = f"/appeals/{number}"
    assert "开具督办单" in browser.get(page).get_data(as_text=True)
    response = browser.post_form(page, "/supervision/orders", {"appeal": number, "reason": "请说明办理进展"})
    assert response.status_code == 302
    assert "请说明办理进展" in browser.get(page).get_data(as_text=True)
    staff("handler", "市工信局")
    assert "开具督办单" not in browser.get(page).get_data(as_text=True)
    order = db.session.scalar(select(SupervisionOrder))
    answered = browser.post_form(page, f"{page}/orders/{order.id}/respond", {"text": "已约谈银行，本周内答复"})
    assert answered.status_code == 302 and order.status == "responded"


def test_yellow_list_shows_appeals_near_their_deadline(browser, staff, logged_call):
    near = _dispatched(browser, staff, logged_call)
    calm = _dispatched(browser, staff, logged_call)
    appeal = db.session.scalar(select(Appeal).where(Appeal.number == near))
    appeal.clock.yellow_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    staff("supervisor")
    yellow = browser.get("/supervision?tab=yellow").get_data(as_text=True)
    assert near in yellow and calm not in yellow
    assert near not in browser.get("/supervision?tab=red").get_data(as_text=True)
