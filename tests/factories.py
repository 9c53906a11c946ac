"""Small builders for cities, units and users, exposed as fixtures."""
import copy
import itertools

import pytest
from sqlalchemy import select

from accounts.tokens import issue_token
from accounts.users import create_user
from kernel.db import db
from models import City, OutboxMessage, Unit

_counter = itertools.count(1)

VALID_APPEAL = {
    "city": "金昌",
    "channel": "hotline",
    "enterprise": {"name": "金昌某某材料有限公司", "uscc": "91620300MA71K2Q8LL"},
    "complainant": {"name": "张先生", "phone": "13812341234"},
    "text": "银行突然不给续贷了，厂子下个月工资都发不出来，请帮忙协调。",
    "urgency": "normal",
}


def appeal_body(**changes) -> dict:
    body = {**copy.deepcopy(VALID_APPEAL), "external_id": f"call-{next(_counter)}"}
    body.update(changes)
    return body


class World:
    """A city with a few units and a helper to make users with tokens, inside the test's session."""

    def __init__(self, name="金昌", code="JC"):
        self.city = City(name=name, code=code)
        db.session.add(self.city)
        self.units = {}
        for unit_name in ("市工信局", "市市场监管局", "市人社局", "市中级人民法院"):
            self.unit(unit_name)
        self.placeholder = self.unit("各县区", kind="placeholder", routable=False)
        db.session.commit()

    def unit(self, name, kind="department", routable=True) -> Unit:
        unit = Unit(city=self.city, name=name, kind=kind, routable=routable)
        db.session.add(unit)
        db.session.flush()
        self.units[name] = unit
        return unit

    def user(self, role: str, unit: str | None = None):
        """Returns (user, headers) for a new user of the role."""
        user = create_user(f"{role}-{next(_counter)}", role, self.city, self.units[unit] if unit else None)
        token = issue_token(user)
        db.session.commit()
        return user, {"Authorization": f"Bearer {token}"}


def submit_for_dispatch(client, world, count: int) -> list[int]:
    """Submit `count` appeals as the world's operator; the ids of every dispatch message, in order."""
    _, operator = world.user("operator")
    for _ in range(count):
        assert client.post("/api/v1/appeals", json=appeal_body(), headers=operator).status_code == 201
    return db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.job == "dispatch_appeal")
                              .order_by(OutboxMessage.id)).all()

@pytest.fixture
def world(database):
    return World()


@pytest.fixture
def live_world(live_db):
    return World()


@pytest.fixture
def low_limits(app):
    """Intake limited to 2 appeals a minute per token, the public pages to 1 request."""
    saved = app.config["INTAKE_RATE_LIMIT"], app.config["PUBLIC_RATE_LIMIT"]
    app.config["INTAKE_RATE_LIMIT"], app.config["PUBLIC_RATE_LIMIT"] = "2/minute", "1/minute"
    yield
    app.config["INTAKE_RATE_LIMIT"], app.config["PUBLIC_RATE_LIMIT"] = saved
