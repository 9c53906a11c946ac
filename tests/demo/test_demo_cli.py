"""`flask demo load`: 金昌 from its division table, demo users bound to units of that table."""
from sqlalchemy import func, select

from app.extensions import db
from demo.cli import DEMO_USERS, demo
from models import DivisionTable, Unit, User
from tables.queries import knowledge


def load(app):
    result = app.test_cli_runner().invoke(demo, ["load"])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_city_is_loaded_from_its_table(app, database):
    output = load(app)
    assert [line.split()[1] for line in output.splitlines()[1:]] == [
        "operator", "dispatcher", "supervisor", "admin", "partner", "handler-gxj", "handler-scjg",
        "handler-yc", "handler-jc", "handler-jkq"]
    user = db.session.scalar(select(User).where(User.username == "handler-gxj"))
    stored = knowledge(user.city_id)
    assert (stored.city, stored.version, stored.source, len(stored.matters), len(stored.units)) == (
        "金昌", 1, "jinchang_division_table.txt", 85, 54)
    assert user.unit.name == "市工业和信息化局"
    assert db.session.scalar(select(User).where(User.username == "handler-scjg")).unit.name == "市市场监督管理局"
    territorial = {u.username: (u.unit.name, u.unit.division_code) for u in db.session.scalars(
        select(User).where(User.username.in_(["handler-yc", "handler-jc", "handler-jkq"])))}
    assert territorial == {"handler-yc": ("永昌县", "620321"), "handler-jc": ("金川区", "620302"),
                           "handler-jkq": ("金昌经开区", "620300K1")}
    load(app)  # a second load keeps the table it has
    assert db.session.scalar(select(func.count(DivisionTable.id))) == 1


def test_a_city_set_up_by_hand_gets_its_table(app, world):
    """Units made before tables were imported (short names) become the table's units."""
    _, headers = world.user("handler", "市工信局")
    load(app)
    gxj = world.units["市工信局"]
    db.session.refresh(gxj)
    assert gxj.name == "市工业和信息化局" and gxj.retired_at is None
    assert db.session.scalar(select(User).where(User.username == "handler-gxj")).unit_id == gxj.id
    assert db.session.scalar(select(func.count(Unit.id)).where(Unit.retired_at.is_(None))) == 54
    assert world.units["各县区"].retired_at is not None  # not in 金昌's table


def test_each_load_replaces_the_demo_tokens(app, database, client):
    """Issue 21, finding 17: every `make run` added a token per demo user, and the old ones kept working."""
    from models import ApiToken

    first = load(app).splitlines()[1].split()[2]
    second = load(app).splitlines()[1].split()[2]
    assert db.session.scalar(select(func.count(ApiToken.id))) == len(DEMO_USERS)
    assert client.get("/api/v1/appeals", headers={"Authorization": f"Bearer {first}"}).status_code == 401
    assert client.get("/api/v1/appeals", headers={"Authorization": f"Bearer {second}"}).status_code == 200
