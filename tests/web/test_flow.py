"""One appeal through the operator, dispatcher and unit pages; access by URL; escaping."""
import sys
import types

from sqlalchemy import select

from kernel.db import db
from models import Appeal, AppealEvent
from tests.web.conftest import CALL, csrf_from, to_manual


def _appeal(number):
    from kernel.db import db

    return db.session.scalar(select(Appeal).where(Appeal.number == number))


def suggest(browser, **fields):
    """The console's live suggestion as app.js asks for it: a form POST, the page's CSRF token in a header."""
    token = csrf_from(browser.get("/operator"))
    return browser.post("/operator/suggest", data=fields, headers={"X-CSRFToken": token})


def test_operator_logs_a_call_and_reads_back_the_number(browser, staff, logged_call):
    staff("operator")
    number = logged_call()
    page = browser.get(f"/operator/saved/{number}").get_data(as_text=True)
    assert number in page and "请向来电人复述受理编号" in page
    appeal = _appeal(number)
    assert appeal.channel == "hotline" and appeal.enterprise_uscc == "91620300MA71K2Q8LL"


def test_resent_form_stores_the_call_once(browser, staff):
    staff("operator")
    page = browser.get("/operator")
    token = page.get_data(as_text=True).split('name="external_id" value="')[1].split('"')[0]
    first = browser.post_form("/operator", "/operator", {**CALL, "external_id": token})
    second = browser.post_form("/operator", "/operator", {**CALL, "external_id": token})
    assert first.headers["Location"] == second.headers["Location"]


def test_operator_form_shows_the_api_messages_next_to_each_field(browser, staff):
    staff("operator")
    response = browser.post_form("/operator", "/operator", {**CALL, "enterprise.name": "", "enterprise.uscc": "123",
                                                            "complainant.phone": "12345", "text": "短"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="enterprise-name-error">请填写企业名称' in page
    assert 'id="enterprise-uscc-error">统一社会信用代码应为18位' in page
    assert 'id="complainant-phone-error">联系电话格式不正确' in page
    assert 'id="text-error">诉求内容应为5至5000个字' in page
    assert 'value="张先生"' in page  # what was typed is kept


def test_suggest_lists_open_appeals_of_the_same_enterprise(browser, staff, logged_call):
    staff("operator")
    number = logged_call()
    found = suggest(browser, enterprise="金昌某某材料有限公司").get_json()
    assert [item["number"] for item in found["open"]] == [number]
    by_uscc = suggest(browser, uscc="91620300ma71k2q8ll").get_json()
    assert [item["number"] for item in by_uscc["open"]] == [number]
    assert suggest(browser, enterprise="别的公司").get_json()["open"] == []


def test_search_by_number_enterprise_and_phone(browser, staff, logged_call):
    staff("operator")
    number = logged_call()
    logged_call(**{"enterprise.name": "另一家企业有限公司", "enterprise.uscc": "", "complainant.phone": "13900001111"})
    for term in (number, "某某材料", "138-1234-1234"):
        page = browser.post_form("/operator/search", "/operator/search", {"q": term}).get_data(as_text=True)
        assert number in page and "另一家企业" not in page, term


def test_search_and_suggest_keep_phone_and_text_out_of_urls(browser, staff, logged_call):
    """Issue 21.7: the query would sit in every access log; a GET with it finds nothing."""
    staff("operator")
    number = logged_call()
    assert number not in browser.get("/operator/search", query_string={"q": number}).get_data(as_text=True)
    assert browser.get("/operator/suggest", query_string={"text": "银行突然不给续贷了"}).status_code == 405
    token_missing = browser.post("/operator/suggest", data={"text": "银行突然不给续贷了"})
    assert token_missing.status_code == 400


def test_dispatcher_sees_candidates_and_assigns_in_one_click(browser, staff, logged_call, world):
    staff("operator")
    number = logged_call()
    to_manual(number, {"candidates": [{"unit": "市工信局", "p": 0.62, "matter": "协调企业融资"},
                                      {"unit": "市人社局", "p": 0.2, "matter": "欠薪"}], "top_words": ["续贷"]})
    staff("dispatcher")
    queue = browser.get("/dispatch").get_data(as_text=True)
    assert number in queue and "派给市工信局" in queue and "协调企业融资" in queue and "62%" in queue
    response = browser.post_form("/dispatch", f"/dispatch/{number}/assign", {"lead_unit": "市工信局"})
    assert response.status_code == 302
    appeal = _appeal(number)
    assert appeal.status == "dispatched" and appeal.lead_unit.name == "市工信局"
    assert f"row-{number}" not in browser.get("/dispatch").get_data(as_text=True)


def test_assigning_to_an_unknown_unit_shows_the_error_by_the_field(browser, staff, logged_call):
    staff("operator")
    number = logged_call()
    to_manual(number)
    staff("dispatcher")
    response = browser.post_form("/dispatch", f"/dispatch/{number}/assign", {"lead_unit": "市不存在局"})
    assert response.status_code == 400
    assert 'id="lead_unit-error">本市没有单位「市不存在局」' in response.get_data(as_text=True)


def _dispatched(browser, staff, logged_call, unit="市工信局", **changes):
    staff("operator")
    number = logged_call(**changes)
    to_manual(number)
    staff("dispatcher")
    browser.post_form("/dispatch", f"/dispatch/{number}/assign", {"lead_unit": unit})
    return number


def test_unit_accepts_contacts_replies_and_closes(browser, staff, logged_call):
    number = _dispatched(browser, staff, logged_call)
    staff("handler", "市工信局")
    queue = browser.get("/unit").get_data(as_text=True)
    assert number in queue and "正常" in queue  # deadline column with its label
    page = f"/appeals/{number}"
    detail = browser.get(page).get_data(as_text=True)
    assert "138****1234" in detail and "13812341234" not in detail
    for action, field, value in (("accept", "note", ""), ("contact", "note", "已电话联系企业"),
                                 ("reply", "text", "已协调银行续贷，下周放款。"), ("close", "note", "")):
        response = browser.post_form(page, f"{page}/{action}", {field: value})
        assert response.status_code == 302, (action, response.get_data(as_text=True))
    appeal = _appeal(number)
    assert appeal.status == "closed" and appeal.reply == "已协调银行续贷，下周放款。"
    assert appeal.first_response_at is not None


def test_reply_without_text_is_refused_next_to_the_field(browser, staff, logged_call):
    number = _dispatched(browser, staff, logged_call)
    staff("handler", "市工信局")
    page = f"/appeals/{number}"
    browser.post_form(page, f"{page}/accept", {"note": ""})
    response = browser.post_form(page, f"{page}/reply", {"text": ""})
    assert response.status_code == 400
    assert 'id="reply-text-error">请填写答复内容' in response.get_data(as_text=True)


def test_return_needs_a_reason_and_shows_it_to_the_dispatcher(browser, staff, logged_call):
    number = _dispatched(browser, staff, logged_call)
    staff("handler", "市工信局")
    page = f"/appeals/{number}"
    assert browser.post_form(page, f"{page}/return", {"reason": ""}).status_code == 400
    assert browser.post_form(page, f"{page}/return", {"reason": "属于金融监管部门职责"}).status_code == 302
    staff("dispatcher")
    queue = browser.get("/dispatch").get_data(as_text=True)
    assert number in queue and "已退单" in queue and "属于金融监管部门职责" in queue and "市工信局" in queue


def test_disclosure_shows_the_phone_and_is_logged(browser, staff, logged_call):
    number = _dispatched(browser, staff, logged_call)
    user = staff("handler", "市工信局")
    page = f"/appeals/{number}"
    assert browser.post_form(page, f"{page}/disclose", {"reason": ""}).status_code == 400
    posted = browser.post_form(page, f"{page}/disclose", {"reason": "需电话核实情况"})
    # Post/redirect/get: the browser ends on the appeal's page, not on the POST URL.
    assert posted.status_code == 303 and posted.headers["Location"] == page
    assert "13812341234" not in posted.get_data(as_text=True)
    assert "13812341234" in browser.get(page).get_data(as_text=True)
    assert "13812341234" not in browser.get(page).get_data(as_text=True)  # once, not for the session
    from kernel.db import db

    logged = db.session.scalars(select(AppealEvent).where(AppealEvent.action == "disclose",
                                                          AppealEvent.actor_id == user.id)).all()
    assert [e.reason for e in logged] == ["需电话核实情况"]


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"


def test_handler_of_another_unit_cannot_open_it_by_url(browser, staff, logged_call):
    number = _dispatched(browser, staff, logged_call)
    staff("handler", "市人社局")
    assert browser.get(f"/appeals/{number}").status_code == 404
    page = "/unit"
    assert browser.post_form(page, f"/appeals/{number}/accept", {"note": ""}).status_code == 404
    assert number not in browser.get("/unit").get_data(as_text=True)


def test_roles_are_kept_to_their_pages(browser, staff):
    staff("handler", "市工信局")
    for url in ("/operator", "/dispatch", "/supervision", "/admin/users"):
        assert browser.get(url).status_code == 403, url


def test_typed_markup_is_shown_as_text(browser, staff, logged_call):
    staff("operator")
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    number = logged_call(**{"enterprise.name": f"企业{hostile}", "text": f"诉求内容{hostile}"})
    page = browser.get(f"/appeals/{number}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    bad = browser.post_form("/operator", "/operator", {**CALL, "complainant.name": hostile, "text": "短"})
    assert "<img src=x" not in bad.get_data(as_text=True)


def test_pages_send_no_store_and_a_csp(browser, staff):
    staff("operator")
    response = browser.get("/operator")
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def fake_router(monkeypatch, answer):
    """Stands in for routing.service until the router lands; records what the page asked."""
    calls = []
    module = types.ModuleType("routing.service")
    module.suggest = lambda **kwargs: calls.append(kwargs) or answer
    monkeypatch.setitem(sys.modules, "routing.service", module)
    return calls


SUGGESTION = {"lead": "市工信局", "urgency": "urgent", "manual": False, "reason": "auto",
              "candidates": [{"unit": "市工信局", "p": 0.71, "matter": "协调解决企业融资难题"},
                             {"unit": "市政府金融办", "p": 0.18, "matter": ""}],
              "top_words": ["续贷", "工资"], "duplicates": [{"number": "JC20261120-000007", "status": "accepted"}],
              "model_version": 3}


def test_suggest_passes_the_router_answer_through(browser, staff, monkeypatch):
    calls = fake_router(monkeypatch, SUGGESTION)
    staff("operator")
    text = "银行突然不给续贷了，请帮忙协调。"
    got = suggest(browser, enterprise="某公司", uscc="", text=text).get_json()
    assert got["suggestion"] == SUGGESTION
    assert calls == [{"city": "金昌", "text": text, "enterprise": "某公司", "uscc": None}]
    short = suggest(browser, enterprise="某公司", text="贷款").get_json()
    assert short["suggestion"] is None and len(calls) == 1


def test_a_failing_router_leaves_the_panel_empty(browser, staff, monkeypatch):
    module = types.ModuleType("routing.service")

    def broken(**kwargs):
        raise RuntimeError("model not trained")

    module.suggest = broken
    monkeypatch.setitem(sys.modules, "routing.service", module)
    staff("operator")
    got = suggest(browser, text="银行突然不给续贷了")
    assert got.status_code == 200 and got.get_json()["suggestion"] is None


def test_unit_queue_puts_the_most_urgent_first(browser, staff, logged_call):
    calm = _dispatched(browser, staff, logged_call)
    urgent = _dispatched(browser, staff, logged_call, urgency="urgent")
    staff("handler", "市工信局")
    queue = browser.get("/unit").get_data(as_text=True)
    assert queue.index(urgent) < queue.index(calm)


def test_assisting_unit_sees_the_appeal_but_cannot_act(browser, staff, logged_call):
    staff("operator")
    number = logged_call()
    to_manual(number)
    staff("dispatcher")
    browser.post_form("/dispatch", f"/dispatch/{number}/assign",
                      {"lead_unit": "市工信局", "assisting_units": ["市人社局"]})
    staff("handler", "市人社局")
    page = f"/appeals/{number}"
    detail = browser.get(page).get_data(as_text=True)
    assert "协办：市人社局" in detail and f"{page}/accept" not in detail
    refused = browser.post_form(page, f"{page}/accept", {"note": ""})
    assert refused.status_code == 302 and _appeal(number).status == "dispatched"
    assert "只有主办单位可以签收" in browser.get(page).get_data(as_text=True)


def test_the_unit_that_returned_an_appeal_is_not_proposed_for_it_again(browser, staff, logged_call):
    staff("operator")
    number = logged_call()
    to_manual(number, {"candidates": [{"unit": "市工信局", "p": 0.6, "matter": ""},
                                      {"unit": "市金融办", "p": 0.3, "matter": ""}]})
    staff("dispatcher")
    browser.post_form("/dispatch", f"/dispatch/{number}/assign", {"lead_unit": "市工信局"})
    staff("handler", "市工信局")
    page = f"/appeals/{number}"
    assert browser.post_form(page, f"{page}/return", {"reason": "属于金融监管部门职责"}).status_code == 302
    staff("dispatcher")
    queue = browser.get("/dispatch").get_data(as_text=True)
    assert "派给市金融办" in queue and "派给市工信局" not in queue


def test_unit_pickers_are_searchable_and_warn_about_units_without_a_handler(browser, staff, world, logged_call):
    world.user("handler", unit="市工信局")
    staff("operator")
    number = logged_call()
    to_manual(number)
    staff("dispatcher")
    queue = browser.get("/dispatch").get_data(as_text=True)
    assert 'list="unit-names"' in queue and 'type="checkbox" name="assisting_units" value="市人社局"' in queue
    assert '<option value="市工信局">' in queue
    assert '<option value="市人社局" label="无承办人账号" data-unstaffed>' in queue
    response = browser.post_form("/dispatch", f"/dispatch/{number}/assign",
                                 {"lead_unit": "市人社局", "assisting_units": ["市工信局"]})
    assert response.status_code == 302
    page = browser.get("/dispatch").get_data(as_text=True)
    assert "注意：市人社局尚无承办人账号" in page and "市工信局尚无" not in page


def test_the_address_is_logged_and_the_territory_shown(browser, staff, logged_call, world):
    """属地: the operator's address field; the appeal's page shows the territory and where it came from."""
    staff("operator")
    number = logged_call(address="永昌县城关镇北海子路1号")
    appeal = _appeal(number)
    assert appeal.address == "永昌县城关镇北海子路1号"
    appeal.territory_unit = world.unit("永昌县", kind="jurisdiction", routable=False)
    appeal.territory_source = "address"
    db.session.commit()
    page = browser.get(f"/appeals/{number}").get_data(as_text=True)
    assert "永昌县城关镇北海子路1号" in page and "永昌县<span class=\"muted\">（依据：诉求地址）</span>" in page
