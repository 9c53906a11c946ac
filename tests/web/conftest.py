"""Page tests: sign in through the real form, with its CSRF token."""
import re

import pytest
from flask import has_app_context
from sqlalchemy import select

from accounts.passwords import set_password
from kernel.db import db
from models import Appeal
from workflow import transitions

PASSWORD = "demo12345"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(response) -> str:
    match = TOKEN.search(response.get_data(as_text=True))
    assert match, "page has no CSRF token"
    return match.group(1)


class Browser:
    """A test client that posts forms with the token of the page they came from.

    Each request runs in its own application context, as in production: the test's outer
    context (from the `database` fixture) would otherwise carry `g` from one request to the next.
    """

    def __init__(self, app, client):
        self.app = app
        self.client = client

    def get(self, url, **kwargs):
        return self._request(self.client.get, url, **kwargs)

    def post(self, url, **kwargs):
        return self._request(self.client.post, url, **kwargs)

    def _request(self, method, url, **kwargs):
        with self.app.app_context():
            response = method(url, **kwargs)
        if has_app_context():
            db.session.expire_all()  # the request had its own session: read its changes afresh
        return response

    def post_form(self, page_url: str, action: str, data: dict, **kwargs):
        token = csrf_from(self.get(page_url))
        return self.post(action, data={**data, "csrf_token": token}, **kwargs)

    def sign_in(self, user, password: str = PASSWORD):
        return self.post_form("/login", "/login", {"username": user.username, "password": password})


@pytest.fixture
def browser(app, client):
    return Browser(app, client)


@pytest.fixture
def staff(world, browser):
    """staff(role, unit=None) -> a user with a password, signed in on `browser`."""

    def make(role, unit=None):
        user, _ = world.user(role, unit)
        set_password(user, PASSWORD)
        db.session.commit()
        response = browser.sign_in(user)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return make


CALL = {
    "enterprise.name": "金昌某某材料有限公司",
    "enterprise.uscc": "91620300MA71K2Q8LL",
    "complainant.name": "张先生",
    "complainant.phone": "13812341234",
    "channel": "hotline",
    "urgency": "normal",
    "text": "银行突然不给续贷了，厂子下个月工资都发不出来，请帮忙协调。",
}


@pytest.fixture
def logged_call(browser):
    """log_call(**changes) -> the appeal number, logged through the operator console."""

    def log(**changes):
        response = browser.post_form("/operator", "/operator", {**CALL, **changes})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response.headers["Location"].rsplit("/", 1)[1]

    return log


def to_manual(number: str, routing: dict | None = None):
    """What the dispatch job does with an appeal the router is unsure about."""
    appeal = db.session.scalar(select(Appeal).where(Appeal.number == number))
    appeal.routing = routing
    transitions.to_manual(appeal, "待人工分拨：路由置信度不足")
    db.session.commit()
    return appeal
