"""The admin pages for webhooks, through the real sign-in form and CSRF tokens."""
import pytest

from accounts.passwords import set_password
from kernel.db import db
from models import Delivery, Partner, Subscription
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


MAPPING = ('{"fields": {"external_id": "id", "enterprise.name": "company", "complainant.name": "contact", '
           '"complainant.phone": "mobile", "text": "content"}}')


def test_partner_is_created_from_the_form_with_the_apis_checks(admin_browser, world):
    page = admin_browser.get("/admin/webhooks").get_data(as_text=True)
    assert "POST JSON" not in page and "新建合作平台" in page and "新建推送订阅" in page
    form = {"slug": "zwfw", "name": "政务服务平台", "mapping": MAPPING}
    refused = admin_browser.post_form("/admin/webhooks", "/admin/webhooks/partners", {**form, "mapping": "{"})
    assert refused.status_code == 400 and "字段对应关系须为 JSON 对象" in refused.get_data(as_text=True)
    refused = admin_browser.post_form("/admin/webhooks", "/admin/webhooks/partners",
                                      {**form, "mapping": '{"fields": {"text": "content"}}'})
    assert refused.status_code == 400 and "缺少必需字段的对应关系" in refused.get_data(as_text=True)
    assert db.session.query(Partner).count() == 0

    created = admin_browser.post_form("/admin/webhooks", "/admin/webhooks/partners", form)
    partner = db.session.query(Partner).one()
    assert created.status_code == 200 and partner.secret in created.get_data(as_text=True)
    assert (partner.city_id, partner.user.username, partner.mapping["fields"]["text"]) == (
        world.city.id, "partner-zwfw", "content")
    again = admin_browser.post_form("/admin/webhooks", "/admin/webhooks/partners", form)
    assert again.status_code == 400 and "标识「zwfw」已被使用" in again.get_data(as_text=True)


def test_subscription_is_created_and_deleted_from_the_page(admin_browser, world):
    url = "https://receiver.example.org/hook"
    refused = admin_browser.post_form("/admin/webhooks", "/admin/webhooks/subscriptions",
                                      {"url": url, "event_types": ["appeal.dispatched"]})
    assert refused.status_code == 400 and "二者只能选一" in refused.get_data(as_text=True)
    refused = admin_browser.post_form("/admin/webhooks", "/admin/webhooks/subscriptions",
                                      {"url": "http://127.0.0.1/hook", "unit": "市工信局",
                                       "event_types": ["appeal.dispatched"]})
    assert refused.status_code == 400 and db.session.query(Subscription).count() == 0

    created = admin_browser.post_form("/admin/webhooks", "/admin/webhooks/subscriptions",
                                      {"url": url, "unit": "市工信局", "event_types": ["appeal.dispatched", "appeal.closed"]})
    subscription = db.session.query(Subscription).one()
    assert created.status_code == 200 and subscription.secret in created.get_data(as_text=True)
    assert (subscription.unit.name, subscription.event_types) == ("市工信局", ["appeal.dispatched", "appeal.closed"])
    deleted = admin_browser.post_form("/admin/webhooks", f"/admin/webhooks/subscriptions/{subscription.id}/delete", {})
    assert deleted.status_code == 302 and db.session.query(Subscription).count() == 0
