"""End to end in headless Chromium: an operator calls the enterprise of a closed appeal back
(电话回访), shows its phone by a logged action, records the answer, and the office's dashboard
counts it in the satisfaction rate."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from kernel.db import db
from models.base import utcnow
from tests.sla.helpers import dispatched
from tests.web.test_e2e import Session, chromium, people, server  # noqa: F401
from workflow.transitions import perform

pytestmark = pytest.mark.e2e


@pytest.fixture
def closed_number(live_world, people):
    handler = live_world.user("handler", unit="市工信局")[0]
    appeal = dispatched(live_world, utcnow() - timedelta(minutes=5))
    for action in ("accept", "reply", "close"):
        perform(appeal, action, handler, reason="已协调银行办理续贷" if action == "reply" else None)
    db.session.commit()
    number = appeal.number
    db.session.rollback()
    return number


def test_operator_records_a_follow_up_call_and_it_is_counted(server, chromium, people, closed_number):
    operator = Session(chromium, server)
    operator.sign_in(people["operator"])
    page = operator.page
    page.get_by_role("link", name="电话回访").click()
    row = page.locator("table.list tbody tr", has_text=closed_number)
    expect(row).to_be_visible()
    operator.shot("30-follow-up-list")
    row.get_by_role("link", name="回访").click()
    expect(page.locator("#phone")).not_to_contain_text("13812341234")
    page.get_by_role("button", name="显示电话（记入日志）").click()
    expect(page.locator("#phone")).to_have_text("13812341234")
    page.get_by_label("已接通").check()
    page.get_by_label("已解决").check()
    page.get_by_label("满意", exact=True).check()
    page.get_by_label("回访记录（可不填）").fill("企业表示续贷已落实")
    operator.shot("31-follow-up-call")
    page.get_by_role("button", name="记录回访").click()
    expect(page.locator(".flash.ok")).to_contain_text(f"{closed_number} 已记录回访")
    expect(page.locator("table.list")).not_to_contain_text(closed_number)
    operator.go(f"/appeals/{closed_number}")
    expect(page.locator("ol.history")).to_contain_text("回访")

    supervisor = Session(chromium, server)
    supervisor.sign_in(people["supervisor"])
    supervisor.go("/supervision/dashboard")
    expect(supervisor.page.locator(".card", has_text="满意率")).to_contain_text("100.0%")
    supervisor.shot("32-dashboard-after-follow-up")
    for person in (operator, supervisor):
        person.no_script_ran()
