"""Staff pages at phone width (375 px) in headless Chromium: the queues and the appeal page fit
the screen, with no sideways scrolling (screenshots in tests/output/screenshots/)."""
import pytest
from playwright.sync_api import expect

from tests.web.test_e2e import Session, chromium, drain_queue, people, server  # noqa: F401
from tests.web.test_e2e_urgency import log_call

pytestmark = pytest.mark.e2e
NARROW = {"width": 375, "height": 740}


def on_phone(chromium, server, username):
    """Signed in (the check of which looks for the name the phone layout hides), then narrowed."""
    session = Session(chromium, server)
    session.sign_in(username)
    session.page.set_viewport_size(NARROW)
    return session


def assert_fits(session, name):
    session.shot(name)
    width = session.page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{name}: the page is {width} px wide at {NARROW['width']} px"


def test_queues_and_the_appeal_page_fit_a_phone(server, chromium, people):
    operator = on_phone(chromium, server, people["operator"])
    number = log_call(operator, "银行突然不给续贷了，厂子下个月工资都发不出来，请帮忙协调一下贷款的事情。", "urgent")
    assert_fits(operator, "40-narrow-operator-saved")
    operator.go("/operator/follow-ups")
    assert_fits(operator, "41-narrow-follow-ups")
    drain_queue()

    dispatcher = on_phone(chromium, server, people["dispatcher"])
    dispatcher.go("/dispatch")
    assert_fits(dispatcher, "42-narrow-dispatch-queue")
    dispatcher.go(f"/appeals/{number}")
    assert_fits(dispatcher, "43-narrow-appeal")
    page = dispatcher.page
    page.locator("details.other-unit summary").click()
    page.get_by_label("主办单位").fill("市工信局")
    assert_fits(dispatcher, "44-narrow-appeal-assign")
    page.get_by_role("button", name="派单", exact=True).click()
    expect(page.locator(".flash.ok")).to_contain_text("已派至市工信局")

    handler = on_phone(chromium, server, people["handler"])
    handler.go("/unit")
    assert_fits(handler, "45-narrow-unit-queue")
    handler.go(f"/appeals/{number}")
    assert_fits(handler, "46-narrow-appeal-handler")
