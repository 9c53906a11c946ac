"""End to end in headless Chromium: one appeal through every role, over a real server thread.

The app is served by werkzeug on 127.0.0.1 (a free port) over committed data (`live_db`); the
dispatch job is run by draining the RQ queue in-process. Screenshots of every page go to
tests/output/screenshots/ (1366×768 for staff, 390×844 for the enterprise pages).
"""
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect, sync_playwright
from rq import SimpleWorker
from sqlalchemy import select
from werkzeug.serving import make_server

from accounts.passwords import set_password
from intake.schemas import AppealInSchema
from jobs.connection import queue, redis_connection
from kernel.db import db
from models import Appeal
from tests.web.conftest import PASSWORD
from tests.web.test_flow import SUGGESTION, fake_router

pytestmark = pytest.mark.e2e
expect.set_options(timeout=20_000)  # a loaded CI machine is slow; a real failure still fails

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[1] / "output" / "screenshots"
OFFICE = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
CHINA = ZoneInfo("Asia/Shanghai")
HOSTILE = '<script>window.__xss=1</script>"><img src=x onerror="window.__xss=2">'


@pytest.fixture
def server(app, live_world):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(5)


@pytest.fixture
def chromium():
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


@pytest.fixture
def people(live_world):
    """Staff with passwords, committed so the server thread sees them."""
    made = {}
    for key, role, unit in (("operator", "operator", None), ("dispatcher", "dispatcher", None),
                            ("handler", "handler", "市工信局"), ("stranger", "handler", "市人社局"),
                            ("supervisor", "supervisor", None), ("admin", "admin", None)):
        user, _ = live_world.user(role, unit)
        set_password(user, PASSWORD)
        made[key] = user.username
    db.session.commit()
    return made


class Session:
    """One person's browser window, with screenshots and a guard against script dialogs."""

    def __init__(self, chromium, base, viewport=OFFICE):
        self.base = base
        self.context = chromium.new_context(viewport=viewport, locale="zh-CN")
        self.context.set_default_timeout(30_000)
        self.page = self.context.new_page()
        self.dialogs = []
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.errors = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def go(self, path):
        return self.page.goto(self.base + path)

    def shot(self, name):
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def sign_in(self, username, shot=None):
        """By keyboard only: the username field has focus, Tab to the password, Enter submits."""
        self.page.bring_to_front()
        self.go("/login")
        if shot:
            self.shot(shot)
        expect(self.page.get_by_label("用户名")).to_be_focused()
        self.page.keyboard.type(username)
        self.page.keyboard.press("Tab")
        self.page.keyboard.type(PASSWORD)
        self.page.keyboard.press("Enter")
        self.page.wait_for_load_state()
        expect(self.page.locator("header .who")).to_be_visible()

    def search(self, term):
        """The operator's search form: a POST, so the term is in no URL (nor the access log)."""
        self.go("/operator/search")
        self.page.get_by_label("检索").fill(term)
        self.page.get_by_role("button", name="查询").click()
        self.page.wait_for_load_state()
        assert term not in self.page.url

    def no_script_ran(self):
        assert self.dialogs == [] and self.page.evaluate("window.__xss") is None
        assert self.errors == []


def drain_queue():
    """What the worker does: run every queued job (here the dispatch job) once."""
    SimpleWorker([queue()], connection=redis_connection()).work(burst=True)
    db.session.remove()


def status_of(number: str) -> str:
    """Read, then end the transaction at once: the server thread writes to the same database."""
    status = db.session.scalar(select(Appeal.status).where(Appeal.number == number))
    db.session.rollback()
    return status


def test_one_appeal_through_every_role(server, chromium, people):
    # 话务员: log the call, see the panel, read the number back.
    operator = Session(chromium, server)
    operator.sign_in(people["operator"], shot="01-login")
    page = operator.page
    page.get_by_label("企业名称").fill("金昌某某材料有限公司")
    page.get_by_label("统一社会信用代码").fill("91620300MA71K2Q8LL")
    page.get_by_label("诉求人").fill("张先生")
    page.get_by_label("联系电话").fill("13812341234")
    page.get_by_label("诉求内容").fill("银行突然不给续贷了，厂子下个月工资都发不出来，请帮忙协调。")
    expect(page.locator("#suggest-open")).to_contain_text("没有未办结的诉求")
    operator.shot("02-operator-console")
    page.get_by_role("button", name="保存并生成受理编号").click()
    number = page.locator("#appeal-number").inner_text()
    assert number.startswith("JC")
    operator.shot("03-operator-saved")
    page.get_by_role("link", name="登记下一个来电").click()
    page.get_by_label("企业名称").fill("金昌某某材料有限公司")
    expect(page.locator("#suggest-open")).to_contain_text(number)
    operator.search(number)
    expect(page.locator("table.list")).to_contain_text("金昌某某材料有限公司")
    operator.shot("04-operator-search")

    # The dispatch job runs; the router is unsure or absent, so the appeal waits for a dispatcher.
    drain_queue()
    assert status_of(number) in ("manual", "dispatched")

    # 派单员: assign to 市工信局 from the queue (or re-assign from the appeal page if the router did).
    dispatcher = Session(chromium, server)
    dispatcher.sign_in(people["dispatcher"])
    page = dispatcher.page
    dispatcher.shot("05-dispatch-queue")
    row = page.locator(f"#row-{number}")
    if row.count():
        row.locator("summary").click()
        row.get_by_label("主办单位").fill("市工信局")
        row.get_by_role("button", name="派单", exact=True).click()
    else:
        dispatcher.go(f"/appeals/{number}")
        page.locator("details.other-unit summary").click()
        page.get_by_label("主办单位").fill("市工信局")
        page.get_by_role("button", name="派单", exact=True).click()
    expect(page.locator(".flash.ok")).to_contain_text("已派至市工信局")

    # 承办单位: queue with deadline, masked phone, accept, first contact, reply, close.
    handler = Session(chromium, server)
    handler.sign_in(people["handler"])
    page = handler.page
    expect(page.locator("table.list")).to_contain_text(number)
    expect(page.locator("table.list .light").first).to_contain_text("正常")
    handler.shot("06-unit-queue")
    page.get_by_role("link", name=number).click()
    expect(page.locator("#complainant-phone")).to_have_text("138****1234")
    page.get_by_role("button", name="签收").click()
    expect(page.locator(".flash.ok")).to_contain_text("已签收")
    page.get_by_label("联系情况（可不填）").fill("已电话联系企业负责人")
    page.get_by_role("button", name="记录首次联系").click()
    page.get_by_role("button", name="提交答复").click()  # empty: the error appears by the field
    expect(page.locator("#reply-text-error")).to_contain_text("请填写答复内容")
    page.get_by_label("答复内容").fill("已协调银行续贷，下周放款。")
    handler.shot("07-unit-appeal-reply")
    page.get_by_role("button", name="提交答复").click()
    page.get_by_role("button", name="办结").click()
    expect(page.locator("h1 .tag")).to_have_text("已办结")
    handler.shot("08-unit-appeal-closed")

    # A handler of another unit cannot open it by URL.
    stranger = Session(chromium, server)
    stranger.sign_in(people["stranger"])
    response = stranger.go(f"/appeals/{number}")
    assert response.status == 404
    expect(stranger.page.locator("main")).not_to_contain_text("银行突然不给续贷了")

    # 企业 (phone): track with the last four digits, answer the follow-up.
    enterprise = Session(chromium, server, PHONE)
    page = enterprise.page
    enterprise.go("/m/")
    enterprise.shot("09-mobile-home")
    enterprise.go("/m/track")
    page.get_by_label("受理编号").fill(number)
    page.get_by_label("联系电话后四位").fill("0000")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#number-error")).to_contain_text("不正确")
    page.get_by_label("联系电话后四位").fill("1234")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#status")).to_have_text("已办结")
    expect(page.locator("#reply")).to_contain_text("已协调银行续贷")
    enterprise.shot("10-mobile-status")
    page.get_by_label("已解决").check()
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator(".flash.ok")).to_contain_text("感谢您的评价")
    enterprise.shot("11-mobile-rated")

    # 督查室: lists, the appeal's full history, and the dashboard counting it.
    supervisor = Session(chromium, server)
    supervisor.sign_in(people["supervisor"])
    page = supervisor.page
    supervisor.shot("12-supervision-lists")
    supervisor.go(f"/appeals/{number}")
    history = page.locator("ol.history")
    for step in ("受理", "派单", "签收", "首次联系", "答复", "办结", "回访"):
        expect(history).to_contain_text(step)
    expect(history).to_contain_text("回访 · 企业")
    supervisor.shot("13-supervision-history")
    supervisor.go("/supervision/dashboard")
    unit_row = page.locator("#unit-measures tbody tr", has_text="市工信局")
    expect(unit_row).to_contain_text("100.0%")
    expect(page.locator("svg.chart").first).to_be_visible()
    supervisor.shot("14-supervision-dashboard")
    with page.expect_download() as download:
        page.get_by_role("link", name="月度通报").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    for person in (operator, dispatcher, handler, stranger, enterprise, supervisor):
        person.no_script_ran()


def test_typed_markup_is_shown_as_text_and_never_runs(server, chromium, people):
    operator = Session(chromium, server)
    operator.sign_in(people["operator"])
    page = operator.page
    page.get_by_label("企业名称").fill(f"企业{HOSTILE}")
    page.get_by_label("诉求人").fill(HOSTILE[:60])
    page.get_by_label("联系电话").fill("13812341234")
    page.get_by_label("诉求内容").fill(f"诉求内容{HOSTILE}")
    page.get_by_label("统一社会信用代码").fill('"><img src=x onerror="window.__xss=3">')
    page.get_by_role("button", name="保存并生成受理编号").click()
    expect(page.locator("#enterprise-uscc-error")).to_be_visible()  # shown again, with the error
    expect(page.get_by_label("统一社会信用代码")).to_be_focused()  # the keyboard is put on it
    operator.shot("15-operator-errors-hostile")
    operator.no_script_ran()
    page.get_by_label("统一社会信用代码").fill("")
    page.get_by_role("button", name="保存并生成受理编号").click()
    number = page.locator("#appeal-number").inner_text()
    operator.go(f"/appeals/{number}")
    expect(page.locator("#appeal-text")).to_have_text(f"诉求内容{HOSTILE}")
    operator.search(number)
    expect(page.locator("table.list")).to_contain_text("<script>")
    operator.go("/operator")
    page.get_by_label("企业名称").fill(f"企业{HOSTILE}")
    expect(page.locator("#suggest-open")).to_contain_text(number)
    operator.no_script_ran()

    enterprise = Session(chromium, server, PHONE)
    enterprise.go("/m/submit")
    enterprise.page.get_by_role("button", name="提交").click()
    expect(enterprise.page.locator("#enterprise-name-error")).to_contain_text("请填写企业名称")
    expect(enterprise.page.get_by_label("企业名称")).to_be_focused()
    enterprise.shot("16-mobile-submit-errors")
    enterprise.page.get_by_label("企业名称").fill(HOSTILE)
    enterprise.page.get_by_label("联系人").fill("李女士")
    enterprise.page.get_by_label("联系电话").fill("13900001111")
    enterprise.page.get_by_label("诉求内容").fill(f"厂区门口道路损坏{HOSTILE}")
    enterprise.page.get_by_role("button", name="提交").click()
    expect(enterprise.page.locator("#appeal-number")).to_be_visible()
    enterprise.shot("17-mobile-submitted")
    enterprise.no_script_ran()


def test_operator_panel_shows_the_router_suggestion(server, chromium, people, monkeypatch):
    fake_router(monkeypatch, SUGGESTION)
    operator = Session(chromium, server)
    operator.sign_in(people["operator"])
    page = operator.page
    page.get_by_label("企业名称").fill("金昌某某材料有限公司")
    page.get_by_label("诉求内容").fill("银行突然不给续贷了，厂子下个月工资都发不出来，请帮忙协调。")
    panel = page.locator("#suggest-router")
    expect(panel).to_contain_text("建议主办：市工信局")
    expect(panel).to_contain_text("71%")
    expect(panel).to_contain_text("协调解决企业融资难题")
    expect(panel).to_contain_text("疑似重复件：JC20261120-000007")
    expect(page.get_by_label("紧急程度")).to_have_value("urgent")  # until the operator chooses
    operator.shot("02b-operator-suggestion")
    operator.no_script_ran()


def test_forms_without_their_csrf_token_are_refused(server, chromium, people):
    operator = Session(chromium, server)
    operator.sign_in(people["operator"])
    refused = operator.page.request.post(server + "/operator", form={
        "enterprise.name": "金昌某某材料有限公司", "complainant.name": "张先生", "complainant.phone": "13812341234",
        "channel": "hotline", "urgency": "normal", "text": "没有令牌的表单不能提交。"})
    assert refused.status == 400 and "安全令牌" in refused.text()
    assert db.session.scalar(select(Appeal.id)) is None
    db.session.rollback()
    anonymous = Session(chromium, server, PHONE)
    assert anonymous.page.request.post(server + "/m/track", form={"number": "X", "last4": "1234"}).status == 400


def seed_supervision_cases(world, people):
    """Two dispatched appeals for the office's lists: one overdue with an order, one asking for more time."""
    from datetime import timedelta

    from intake.service import submit
    from models import User
    from models.base import utcnow
    from sla.extensions import request_extension
    from sla.service import city_calendar
    from supervision.orders import open_order
    from tests.factories import appeal_body
    from workflow.transitions import dispatch, perform, to_manual

    handler = db.session.scalar(select(User).where(User.username == people["handler"]))
    late, slow = (submit(AppealInSchema().load(appeal_body(text=text)), None)[0] for text in (
        "园区道路施工三个月未完工，货车进不来，请协调加快进度。", "申请的技改补贴半年没有到账，请帮忙查询进度。"))
    for appeal in (late, slow):
        to_manual(appeal, "待人工分拨")
        dispatch(appeal, world.units["市工信局"], [], None)
        perform(appeal, "accept", handler)
    late.clock.completion_due = utcnow() - timedelta(days=2)
    open_order(late, "manual", "超期两天仍未办结，请说明原因并加快办理", None)
    new_due = city_calendar(slow.city_id).add_working_days(
        slow.clock.completion_due.astimezone(CHINA).replace(tzinfo=None), 3)
    request_extension(slow, handler, new_due.date(), "需财政局核对拨付流程")
    numbers = late.number, slow.number
    db.session.commit()
    db.session.remove()  # hold no transaction while the server thread writes
    return numbers


def test_staff_pages_at_office_size(server, chromium, people, live_world):
    """The pages the walk does not reach, with something in them: admin, supervision lists."""
    late, slow = seed_supervision_cases(live_world, people)
    admin = Session(chromium, server)
    admin.sign_in(people["admin"])
    admin.shot("18-admin-users")
    admin.page.get_by_label("用户名").fill("x")
    admin.page.get_by_role("button", name="创建").click()
    expect(admin.page.locator("#username-error")).to_be_visible()
    expect(admin.page.locator("#password-error")).to_be_visible()
    admin.shot("19-admin-users-errors")
    admin.go("/supervision?tab=red")
    expect(admin.page.locator("table.list")).to_contain_text(late)
    admin.shot("20-supervision-red")
    admin.go("/supervision?tab=orders")
    expect(admin.page.locator("table.list")).to_contain_text("超期两天仍未办结")
    admin.shot("21-supervision-orders")
    admin.go("/supervision?tab=extensions")
    expect(admin.page.locator("table.list")).to_contain_text("需财政局核对拨付流程")
    admin.shot("22-supervision-extensions")
    admin.page.get_by_role("button", name="批准", exact=True).click()
    expect(admin.page.locator(".flash.ok")).to_contain_text(f"{slow} 延期申请已批准")
    admin.no_script_ran()


def test_dispatch_queue_pages_and_searches(server, chromium, people, live_world):
    """23 appeals waiting: two pages with the true total, the next page, a search by text, and the
    searchable unit pickers (typed lead unit, filtered 协办 list, warning for a unit without handler)."""
    from tests.sla.helpers import make_appeal

    for _ in range(23):
        make_appeal(live_world)
    parking = make_appeal(live_world)
    parking.text = "园区停车场收费不合理，请核实。"
    db.session.commit()
    db.session.remove()
    dispatcher = Session(chromium, server)
    dispatcher.sign_in(people["dispatcher"])
    page = dispatcher.page
    dispatcher.go("/dispatch")
    expect(page.locator("h1 .count")).to_contain_text("24 件待派")
    expect(page.locator(".pager")).to_contain_text("共 24 件，第 1/2 页")
    assert page.locator("tr[id^=row-]").count() == 20
    page.get_by_role("link", name="下一页").click()
    expect(page.locator(".pager")).to_contain_text("第 2/2 页")
    assert page.locator("tr[id^=row-]").count() == 4
    page.get_by_label("检索").fill("停车场")
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".pager")).to_contain_text("共 1 件")
    row = page.locator("tr[id^=row-]")
    expect(row).to_contain_text("停车场")
    row.locator("summary").click()
    row.get_by_label("主办单位").fill("市中级人民法院")
    expect(row.locator(".warn")).to_be_visible()  # no handler account there
    row.get_by_label("主办单位").fill("市工信局")
    expect(row.locator(".warn")).to_be_hidden()
    row.get_by_label("筛选协办单位").fill("人社")
    expect(row.locator(".checks label", has_text="市人社局")).to_be_visible()
    expect(row.locator(".checks label", has_text="市市场监管局")).to_be_hidden()
    row.get_by_label("市人社局").check()
    row.get_by_role("button", name="派单", exact=True).click()
    expect(page.locator(".flash.ok")).to_contain_text("已派至市工信局")
    dispatcher.shot("23-dispatch-search")
    dispatcher.no_script_ran()
