"""`flask demo load`: 金昌 from its division table, demo users bound to units of that table, a
handler per routable unit, demo appeals in every state, the tokens in a file to source."""
import stat
import subprocess

import pytest
from sqlalchemy import func, select

from demo.appeals import APPEALS
from demo.cli import DEMO_USERS, demo
from kernel.db import db
from models import ApiToken, Appeal, AppealEvent, DivisionTable, FollowUp, Unit, User
from sla.service import appeal_clock
from tables.queries import knowledge


@pytest.fixture
def tokens_file(tmp_path):
    return tmp_path / "instance" / "demo-tokens.env"


@pytest.fixture
def load(app, tokens_file):
    def run():
        result = app.test_cli_runner().invoke(demo, ["load", "--tokens-file", str(tokens_file)])
        assert result.exit_code == 0, result.output
        return "\n".join(result.output.splitlines()[:-1])  # the last line names the tokens file

    return run


def test_demo_city_is_loaded_from_its_table(database, load):
    output = load()
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
    load()  # a second load keeps the table it has
    assert db.session.scalar(select(func.count(DivisionTable.id))) == 1


def test_a_city_set_up_by_hand_gets_its_table(world, load):
    """Units made before tables were imported (short names) become the table's units."""
    _, headers = world.user("handler", "市工信局")
    load()
    gxj = world.units["市工信局"]
    db.session.refresh(gxj)
    assert gxj.name == "市工业和信息化局" and gxj.retired_at is None
    assert db.session.scalar(select(User).where(User.username == "handler-gxj")).unit_id == gxj.id
    assert db.session.scalar(select(func.count(Unit.id)).where(Unit.retired_at.is_(None))) == 54
    assert world.units["各县区"].retired_at is not None  # not in 金昌's table


def test_each_load_replaces_the_demo_tokens(database, client, load):
    """Issue 21, finding 17: every `make run` added a token per demo user, and the old ones kept working."""
    first = load().splitlines()[1].split()[2]
    second = load().splitlines()[1].split()[2]
    assert db.session.scalar(select(func.count(ApiToken.id))) == len(DEMO_USERS)
    assert client.get("/api/v1/appeals", headers={"Authorization": f"Bearer {first}"}).status_code == 401
    assert client.get("/api/v1/appeals", headers={"Authorization": f"Bearer {second}"}).status_code == 200


def test_a_handler_for_every_routable_unit_and_appeals_in_every_state_once(database, load):
    load()
    city_id = db.session.scalar(select(User.city_id).where(User.username == "operator"))
    routable = db.session.scalars(select(Unit.id).where(Unit.city_id == city_id, Unit.routable.is_(True),
                                                        Unit.retired_at.is_(None))).all()
    staffed = set(db.session.scalars(select(User.unit_id).where(User.role == "handler")))
    assert len(routable) > 40 and staffed >= set(routable)
    appeals = {a.external_id.removeprefix("demo-"): a for a in db.session.scalars(select(Appeal))}
    assert {key: appeals[key].status for key in APPEALS} == {
        "manual": "manual", "dispatched": "dispatched", "accepted": "accepted", "replied": "replied",
        "rated": "closed", "closed": "closed", "returned": "returned", "overdue": "dispatched"}
    assert appeals["rated"].clock.rating == "satisfied" and appeals["closed"].clock.rating is None
    assert appeal_clock(appeals["overdue"])["colour"] == "red"
    assert appeal_clock(appeals["dispatched"])["colour"] == "green"

    counts = [db.session.scalar(select(func.count(model.id))) for model in (User, Appeal, AppealEvent, FollowUp)]
    load()  # idempotent: nothing added
    assert [db.session.scalar(select(func.count(model.id))) for model in (User, Appeal, AppealEvent, FollowUp)] == counts


def test_the_tokens_file_is_private_and_sourced_by_a_shell(database, load, tokens_file, client):
    output = load()
    assert stat.S_IMODE(tokens_file.stat().st_mode) == 0o600
    printed = {line.split()[1]: line.split()[2] for line in output.splitlines()[1:]}
    shell = subprocess.run(["bash", "-c", f"source {tokens_file} && echo $OPERATOR_TOKEN $HANDLER_GXJ_TOKEN"],
                           capture_output=True, text=True, check=True)
    assert shell.stdout.split() == [printed["operator"], printed["handler-gxj"]]
    response = client.get("/api/v1/appeals", headers={"Authorization": f"Bearer {printed['operator']}"})
    assert response.status_code == 200 and response.get_json()["total"] == len(APPEALS)
    tokens_file.chmod(0o644)
    load()  # replaced, private again
    assert stat.S_IMODE(tokens_file.stat().st_mode) == 0o600
