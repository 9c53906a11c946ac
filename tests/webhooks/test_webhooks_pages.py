"""The admin pages for webhooks, through the real sign-in form and CSRF tokens."""
import pytest

from accounts.passwords import set_password
from app.extensions import db
from models import Delivery
from tests.web.conftest import PASSWORD, Browser
from tests.webhooks.receivers import dispatched, make_partner, subscribe


@pytest.fixture
def admin_browser(app, client, world):
    browser = Browser(app, client)
    admin, _ = world.user("admin")
    set_password(admin, PASSWORD)
    db.session.commit()
    assert browser.sign_in(admin).status_code == 302
    return browser


def test_overview_lists_partners_subscriptions_and_deliveries(admin_browser, world):
    partner = make_partner(world)
    subscribe(world, "http://127.0.0.1:9/gxj", "appeal.dispatched", unit="市工信局")
    number = dispatched(world).number
    page = admin_browser.get("/admin/webhooks")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert f"/webhooks/{partner.slug}/appeals" in html and "http://127.0.0.1:9/gxj" in html and number in html
    assert partner.secret not in html
    dead = admin_browser.get("/admin/webhooks?state=dead").get_data(as_text=True)
    assert number not in dead


def test_dead_letter_is_redelivered_from_its_page(admin_browser, world):
    subscribe(world, "http://127.0.0.1:9/gxj", "appeal.dispatched", unit="市工信局")
    dispatched(world)
    delivery = db.session.query(Delivery).one()
    delivery.state, delivery.attempts = "dead", delivery.attempt_limit
    db.session.commit()
    url = f"/admin/webhooks/deliveries/{delivery.id}"
    assert "重新推送" in admin_browser.get(url).get_data(as_text=True)
    response = admin_browser.post_form(url, f"{url}/redeliver", {})
    assert response.status_code == 302
    db.session.refresh(delivery)
    assert delivery.state == "pending" and delivery.attempt_limit == 2 * delivery.attempts


def test_secret_rotation_shows_the_new_secret_once_and_toggles_work(admin_browser, world):
    partner = make_partner(world)
    old = partner.secret
    response = admin_browser.post_form("/admin/webhooks", f"/admin/webhooks/partners/{partner.slug}/secret", {})
    db.session.refresh(partner)
    assert response.status_code == 200 and partner.secret in response.get_data(as_text=True)
    assert partner.previous_secret == old and partner.secret not in admin_browser.get("/admin/webhooks").get_data(as_text=True)
    admin_browser.post_form("/admin/webhooks", f"/admin/webhooks/partners/{partner.slug}/active", {})
    db.session.refresh(partner)
    assert partner.active is False


def test_pages_are_for_admins_only_and_forms_need_their_token(app, client, world):
    browser = Browser(app, client)
    operator, _ = world.user("operator")
    set_password(operator, PASSWORD)
    db.session.commit()
    browser.sign_in(operator)
    assert browser.get("/admin/webhooks").status_code == 403
    partner = make_partner(world)
    assert browser.post(f"/admin/webhooks/partners/{partner.slug}/active").status_code == 400
