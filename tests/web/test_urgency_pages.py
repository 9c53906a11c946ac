"""Pages: 三台联动 on the operator's read-back and the dispatch queue, the hand-over form, the
router's urgency proposal, the dispatch time limit and the urgency control on the appeal page."""
from sqlalchemy import select

from kernel.db import db
from models import Appeal
from tests.web.conftest import to_manual
from tests.web.test_flow import SUGGESTION, fake_router, suggest

DANGER = "须立即同时转 110/119/120（三台联动）"


def _appeal(number):
    return db.session.scalar(select(Appeal).where(Appeal.number == number))


def test_operator_ticks_life_danger_and_records_the_hand_over_on_the_read_back(browser, staff, logged_call):
    staff("operator")
    number = logged_call(life_danger="1", urgency="emergency", text="化工厂储罐区氯气泄漏，已有工人头晕倒地")
    saved = browser.get(f"/operator/saved/{number}").get_data(as_text=True)
    assert DANGER in saved and 'name="services" value="120"' in saved
    response = browser.post_form(f"/operator/saved/{number}", f"/appeals/{number}/handover",
                                 {"services": ["120", "119"], "back": "saved"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/operator/saved/{number}")
    after = browser.get(f"/operator/saved/{number}").get_data(as_text=True)
    assert "三台联动：已转 119、120" in after and DANGER not in after
    appeal = _appeal(number)
    assert appeal.handover["services"] == ["119", "120"] and appeal.events[-1].action == "handover"
    history = browser.get(f"/appeals/{number}").get_data(as_text=True)
    assert "已转 110/119/120" in history and "已转：119、120" in history


def test_a_hand_over_without_a_service_is_refused_with_a_message(browser, staff, logged_call):
    staff("operator")
    number = logged_call(life_danger="1")
    response = browser.post_form(f"/operator/saved/{number}", f"/appeals/{number}/handover", {"back": "saved"},
                                 follow_redirects=True)
    assert "请选择已转的 110、119 或 120" in response.get_data(as_text=True)
    assert _appeal(number).handover is None


def test_an_appeal_without_danger_shows_no_warning(browser, staff, logged_call):
    staff("operator")
    number = logged_call()
    assert DANGER not in browser.get(f"/operator/saved/{number}").get_data(as_text=True)


def test_dispatch_queue_heads_with_the_emergency_and_warns_of_the_danger(browser, staff, logged_call):
    staff("operator")
    calm = logged_call()
    to_manual(calm, {"urgency": "emergency", "candidates": []})
    danger = logged_call(urgency="emergency", text="厂房坍塌，有两名工人被困，请立即处理")
    to_manual(danger, {"urgency": "emergency", "life_danger": True, "candidates": []})
    staff("dispatcher")
    queue = browser.get("/dispatch").get_data(as_text=True)
    assert queue.index(f"row-{danger}") < queue.index(f"row-{calm}")
    assert "1 件诉求危及人身安全" in queue and f'id="life-danger-{danger}"' in queue
    assert f'id="life-danger-{calm}"' not in queue
    assert "路由建议：紧急" in queue  # the normal appeal's proposal is shown to the dispatcher
    assert 'class="light green">待派' in queue and "派单时限" in queue
    response = browser.post_form("/dispatch", f"/appeals/{danger}/handover", {"services": "110", "back": "dispatch"})
    assert response.headers["Location"].endswith("/dispatch")
    after = browser.get("/dispatch").get_data(as_text=True)
    assert "三台联动：已转 110" in after and "件诉求危及人身安全" not in after


def test_dispatcher_changes_the_urgency_on_the_appeal_page(browser, staff, logged_call):
    staff("operator")
    number = logged_call()
    to_manual(number, {"urgency": "urgent", "candidates": []})
    staff("dispatcher")
    page = browser.get(f"/appeals/{number}").get_data(as_text=True)
    assert "调整紧急程度" in page and "路由建议：加急" in page and 'id="dispatch-due"' in page
    refused = browser.post_form(f"/appeals/{number}", f"/appeals/{number}/urgency", {"urgency": "urgent"})
    assert refused.status_code == 400 and 'id="urgency-reason-error">请填写调整原因' in refused.get_data(as_text=True)
    done = browser.post_form(f"/appeals/{number}", f"/appeals/{number}/urgency",
                             {"urgency": "urgent", "reason": "企业下周停产"}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "紧急程度已调整为加急" in text and "紧急程度：一般 → 加急" in text and "企业下周停产" in text
    assert _appeal(number).urgency == "urgent"


def test_the_handler_has_no_urgency_control(browser, staff, logged_call):
    staff("operator")
    number = logged_call()
    to_manual(number)
    staff("dispatcher")
    browser.post_form("/dispatch", f"/dispatch/{number}/assign", {"lead_unit": "市工信局"})
    staff("handler", "市工信局")
    assert "调整紧急程度" not in browser.get(f"/appeals/{number}").get_data(as_text=True)


def test_the_operator_panel_passes_the_routers_life_danger_flag(browser, staff, monkeypatch):
    fake_router(monkeypatch, {**SUGGESTION, "life_danger": True})
    staff("operator")
    got = suggest(browser, text="车间着火了，有人被困在里面").get_json()
    assert got["suggestion"]["life_danger"] is True
    assert 'id="suggest-danger" hidden' in browser.get("/operator").get_data(as_text=True)
