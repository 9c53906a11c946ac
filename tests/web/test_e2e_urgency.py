"""End to end in headless Chromium: an appeal where life is in danger heads the dispatch queue,
says at once that it must also go to 110/119/120, and the hand-over is recorded (三台联动)."""
import pytest
from playwright.sync_api import expect

from tests.web.test_e2e import Session, chromium, drain_queue, people, server, status_of  # noqa: F401

pytestmark = pytest.mark.e2e


def log_call(session, text, urgency, danger=False) -> str:
    page = session.page
    session.go("/operator")
    page.get_by_label("企业名称").fill("金昌某某化工有限公司")
    page.get_by_label("诉求人").fill("李先生")
    page.get_by_label("联系电话").fill("13812345678")
    page.get_by_label("紧急程度").select_option(urgency)
    page.get_by_label("诉求内容").fill(text)
    if danger:
        page.get_by_label("危及人身安全").check()
    page.get_by_role("button", name="保存并生成受理编号").click()
    return page.locator("#appeal-number").inner_text()


def test_dispatch_queue_heads_with_the_emergency_and_records_the_hand_over(server, chromium, people):
    operator = Session(chromium, server)
    operator.sign_in(people["operator"])
    routine = log_call(operator, "想咨询一下今年稳岗补贴怎么申请，需要哪些材料。", "consult")
    leak = log_call(operator, "化工厂储罐区刚才发生氯气泄漏，周边企业工人已经有人头晕，请马上派人。", "emergency", danger=True)
    expect(operator.page.locator(f"#life-danger-{leak}")).to_contain_text("须立即同时转 110/119/120")
    operator.shot("20-operator-saved-life-danger")
    drain_queue()
    assert status_of(leak) == status_of(routine) == "manual"  # no router model in this city

    dispatcher = Session(chromium, server)
    dispatcher.sign_in(people["dispatcher"])
    page = dispatcher.page
    dispatcher.go("/dispatch")
    expect(page.locator("#life-danger-summary")).to_contain_text("1 件诉求危及人身安全，须立即同时转 110/119/120")
    rows = page.locator("table.dispatch tbody tr")
    expect(rows.first).to_have_id(f"row-{leak}")
    expect(rows.nth(1)).to_have_id(f"row-{routine}")
    alert = page.locator(f"#life-danger-{leak}")
    expect(alert).to_contain_text("危及人身安全！须立即同时转 110/119/120（三台联动）")
    expect(rows.first.locator(".light")).to_contain_text("待派")
    dispatcher.shot("21-dispatch-queue-life-danger")
    alert.get_by_label("110（公安）").check()
    alert.get_by_label("120（急救）").check()
    alert.get_by_role("button", name="登记已转").click()
    expect(page.locator(".flash.ok")).to_contain_text(f"{leak} 已登记转 110、120")
    expect(page.locator(f"#life-danger-{leak}")).to_contain_text("三台联动：已转 110、120")
    expect(page.locator("#life-danger-summary")).to_have_count(0)
    dispatcher.shot("22-dispatch-queue-handed-over")
    dispatcher.go(f"/appeals/{leak}")
    expect(page.locator("ol.history")).to_contain_text("已转 110/119/120")
    expect(page.locator("ol.history")).to_contain_text("已转：110、120")

    for person in (operator, dispatcher):
        person.no_script_ran()
