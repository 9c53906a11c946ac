"""The world the access matrix runs in, and one caller per principal.

Two cities: 金昌 with an appeal dispatched to 市工信局 (lead unit), a supervision order on it,
a partner platform and a webhook subscription; 嘉峪关 with its own supervisor. Every principal
is one user seen through both doors at once: a Bearer token for the API and Open311, and a
signed-in session cookie (with its CSRF token) for the pages.
"""
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from accounts.tokens import issue_token
from kernel.db import db
from models import UnitAlias
from models.base import utcnow
from supervision.orders import open_order
from tests.factories import World
from tests.web.conftest import csrf_from
from tests.webhooks.receivers import dispatched, make_partner, subscribe
from web.session import _stamp

SESSION_COOKIE = "appeals_session"
LEAD_UNIT, OTHER_UNIT = "市工信局", "市市场监管局"
# Column order of the EXPECTED table.
PRINCIPALS = ("anonymous", "expired", "operator", "dispatcher", "lead", "other_unit", "supervisor", "admin",
              "partner", "other_city", "other_admin")


@dataclass
class Principal:
    name: str
    headers: dict = field(default_factory=dict)
    cookie: str | None = None
    csrf: str = ""


@dataclass
class Scene:
    app: Flask
    connection: object
    path_values: dict
    principals: dict[str, Principal]

    def send(self, who: str, method: str, url: str, form: dict | None = None, **kwargs):
        """One request as `who`, in its own app context, undone afterwards (a savepoint around it)."""
        principal = self.principals[who]
        client = FlaskClient(self.app, self.app.response_class, use_cookies=True)
        if principal.cookie:
            client.set_cookie(SESSION_COOKIE, principal.cookie)
        if form is not None:
            kwargs["data"] = {**form, "csrf_token": principal.csrf}
        with self.undone(), self.app.app_context():
            return client.open(url, method=method, headers=principal.headers, **kwargs)

    @contextmanager
    def undone(self):
        """Whatever the body writes is undone, and the savepoint around it is gone afterwards.

        SQLAlchemy's savepoint rollback (ROLLBACK TO) leaves the savepoint in place, so every
        request would nest one level deeper and, on PostgreSQL, each level keeps a transaction-id
        lock until the test ends: at 300 fuzz examples per operation the lock table ran out
        ("out of shared memory") and a request answered 503."""
        self.connection.exec_driver_sql("SAVEPOINT scene_request")
        try:
            yield
        finally:
            self.connection.exec_driver_sql("ROLLBACK TO SAVEPOINT scene_request")
            self.connection.exec_driver_sql("RELEASE SAVEPOINT scene_request")


def _signed_in(app: Flask, user, stamp: str | None = None) -> tuple[str | None, str]:
    """The session cookie of `user` (None: anonymous) and the CSRF token of a form on that session."""
    client = app.test_client()
    if user is not None:
        with client.session_transaction() as session:
            session["uid"], session["stamp"] = user.id, stamp or _stamp(user)
    with app.app_context():
        token = csrf_from(client.get("/login"))
    cookie = client.get_cookie(SESSION_COOKIE)
    return (cookie.value if cookie else None), token


def build_scene(app: Flask) -> Scene:
    """Call inside the `database` fixture: everything is rolled back with the test."""
    home, elsewhere = World(), World(name="嘉峪关", code="JYG")
    users = {
        "operator": home.user("operator"), "dispatcher": home.user("dispatcher"),
        "lead": home.user("handler", LEAD_UNIT), "other_unit": home.user("handler", OTHER_UNIT),
        "supervisor": home.user("supervisor"), "admin": home.user("admin"),
        "other_city": elsewhere.user("supervisor"), "other_admin": elsewhere.user("admin"),
    }
    partner = make_partner(home, slug="matrix")
    partner_token = issue_token(partner.user)
    appeal = dispatched(home, LEAD_UNIT, creator=users["operator"][0])
    order = open_order(appeal, "manual", "请加快办理", users["supervisor"][0])
    subscription = subscribe(home, "https://receiver.example.org/hook", unit=LEAD_UNIT)
    db.session.add(UnitAlias(city_id=home.city.id, unit=home.units[LEAD_UNIT], alias="工信"))
    expired_user, _ = home.user("operator")
    expired_token = issue_token(expired_user, expires_at=utcnow() - timedelta(minutes=1))
    db.session.commit()

    principals = {"anonymous": Principal("anonymous")}
    principals["anonymous"].cookie, principals["anonymous"].csrf = _signed_in(app, None)
    expired = Principal("expired", {"Authorization": f"Bearer {expired_token}"})
    # For the pages, "expired" is a session whose password stamp no longer matches.
    expired.cookie, expired.csrf = _signed_in(app, expired_user, stamp="0" * 16)
    principals["expired"] = expired
    for name, (user, headers) in users.items():
        principals[name] = Principal(name, headers, *_signed_in(app, user))
    principals["partner"] = Principal("partner", {"Authorization": f"Bearer {partner_token}"},
                                      *_signed_in(app, partner.user))
    path_values = {
        "number": appeal.number, "order_id": order.id, "unit_id": home.units[LEAD_UNIT].id, "alias": "工信",
        "subscription_id": subscription.id, "slug": partner.slug, "partner": partner.slug,
        "user_id": users["operator"][0].id, "token_id": users["operator"][0].tokens[0].id, "action": "accept",
        "code": "normal", "day": "2026-10-01", "format": "json",
        # Nothing of these exists: the allowed roles get 404, the others 403.
        "matter_id": 999999, "delivery_id": 999999,
    }
    return Scene(app, db.session.get_bind(), path_values, principals)
