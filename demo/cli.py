"""`flask demo load`: the demo city (金昌, its division table imported), one user per role, a
handler for every routable unit, demo appeals in every state (demo/appeals.py), fresh API tokens.

Each load replaces the demo users' previous demo tokens, so `make run` does not pile them up; the
tokens are also written to a file to `source` (instance/demo-tokens.env, readable by its owner only)."""
import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import delete, select

from accounts.passwords import set_password
from accounts.tokens import issue_token
from accounts.users import create_user
from demo.appeals import ensure_appeals, ensure_handlers
from kernel.db import db
from models import ApiToken, City, DivisionTable, Role, User
from models.city import unit_named
from tables.importer import import_table

CITY, CODE = "金昌", "JC"
# The demo city only: every demo user signs in to the pages with this password.
DEMO_PASSWORD = "demo12345"
TABLE = Path(__file__).with_name("jinchang_division_table.txt")  # a verbatim copy of seed 000
DEMO_USERS = [
    ("operator", Role.operator, None, "话务员小王"),
    ("dispatcher", Role.dispatcher, None, "派单员小李"),
    ("supervisor", Role.supervisor, None, "督查室老张"),
    ("admin", Role.admin, None, "系统管理员"),
    ("partner", Role.partner, None, "12345平台"),
    ("handler-gxj", Role.handler, "市工业和信息化局", "工信局承办人"),
    ("handler-scjg", Role.handler, "市市场监督管理局", "市场监管局承办人"),
    # 属地: the two counties and the development zone handle what lies on their territory.
    ("handler-yc", Role.handler, "永昌县", "永昌县承办人"),
    ("handler-jc", Role.handler, "金川区", "金川区承办人"),
    ("handler-jkq", Role.handler, "金昌经开区", "金昌经开区承办人"),
]


def ensure_city() -> City:
    """The demo city with its division table, imported once (a later `demo load` keeps it)."""
    city = db.session.scalar(select(City).where(City.name == CITY))
    if city is None or not db.session.scalar(select(DivisionTable.id).where(DivisionTable.city_id == city.id).limit(1)):
        import_table(CITY, TABLE, CODE)
        city = db.session.scalar(select(City).where(City.name == CITY))
    return city


def load() -> list[tuple[str, str, str]]:
    """Create what is missing and replace each demo user's demo token: [(username, role, token)]."""
    city = ensure_city()
    tokens, users = [], {}
    for username, role, unit_name, display in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            unit = unit_named(city.id, unit_name) if unit_name else None
            user = create_user(username, role, city, unit, display)
        if user.password_hash is None:
            set_password(user, DEMO_PASSWORD)
        db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.label == "demo"))
        tokens.append((username, role, issue_token(user, label="demo")))
        users[username] = user
    ensure_handlers(city, DEMO_PASSWORD)
    db.session.commit()
    ensure_appeals(city, users["operator"])
    return tokens


def write_tokens(path: Path, tokens: list[tuple[str, str, str]]) -> None:
    """`export OPERATOR_TOKEN=...` per demo user, in a file only its owner can read (0600 from
    its creation: the tokens are never readable by others, not even for a moment)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(f"export {username.upper().replace('-', '_')}_TOKEN={token}\n" for username, _, token in tokens)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.unlink(missing_ok=True)
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
        file.write("# flask demo load：演示令牌，每次载入换新。用法：source " + str(path) + "\n" + lines)
    os.replace(temporary, path)


demo = click.Group("demo", help="演示数据")


@demo.command("load")
@click.option("--tokens-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="令牌写入的文件（默认 instance/demo-tokens.env）")
@with_appcontext
def load_command(tokens_file):
    """载入演示城市（金昌）、单位、各角色用户、各单位承办人和各状态的演示诉求，打印新令牌和网页登录密码。"""
    click.echo(f"网页登录：用户名见下表，密码均为 {DEMO_PASSWORD}（仅限演示城市）")
    tokens = load()
    for username, role, token in tokens:
        click.echo(f"{role:<11} {username:<14} {token}")
    path = tokens_file or Path(current_app.instance_path) / "demo-tokens.env"
    write_tokens(path, tokens)
    click.echo(f"令牌已写入 {path}（仅本人可读）：source {path}")
