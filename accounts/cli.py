"""`flask users …`: create users and issue API tokens."""
import click
from flask.cli import with_appcontext
from sqlalchemy import select

from accounts.passwords import check_strength, set_password
from accounts.tokens import issue_token
from app.extensions import db
from models import City, Role, Unit, UnitAlias, User

users = click.Group("users", help="用户与令牌")


def find_unit_by_name(city: City, name: str) -> Unit | None:
    unit = db.session.scalar(select(Unit).where(Unit.city_id == city.id, Unit.name == name))
    return unit or db.session.scalar(
        select(Unit).join(UnitAlias).where(UnitAlias.city_id == city.id, UnitAlias.alias == name)
    )


def create_user(username: str, role: str, city: City, unit: Unit | None = None, display_name: str = "") -> User:
    """Create a user after checking the role/unit rules; flushed, not committed."""
    if role == Role.handler and unit is None:
        raise ValueError("承办人必须绑定一个单位（--unit）")
    if role != Role.handler and unit is not None:
        raise ValueError("只有承办人（handler）可以绑定单位")
    if db.session.scalar(select(User).where(User.username == username)):
        raise ValueError(f"用户名「{username}」已存在")
    user = User(username=username, role=role, city=city, unit=unit, display_name=display_name or username)
    db.session.add(user)
    db.session.flush()
    return user


@users.command("create")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--city", "city_name", required=True, help="所属城市，如 金昌")
@click.option("--unit", "unit_name", help="承办人所在单位（名称或简称）")
@click.option("--display-name", default="", help="显示名称")
@click.option("--password", default=None, help="网页登录密码（至少8位，含字母和数字）；不填则只能用令牌")
@click.argument("name")
@with_appcontext
def create_command(role, city_name, unit_name, display_name, password, name):
    """创建用户 NAME 并打印其 API 令牌（只显示一次）。"""
    city = db.session.scalar(select(City).where(City.name == city_name))
    if city is None:
        raise click.UsageError(f"未知城市「{city_name}」")
    unit = None
    if unit_name:
        unit = find_unit_by_name(city, unit_name)
        if unit is None:
            raise click.UsageError(f"{city_name}没有单位「{unit_name}」")
    try:
        if password is not None:
            check_strength(password)
        user = create_user(name, role, city, unit, display_name)
        if password is not None:
            set_password(user, password)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    token = issue_token(user, label="cli")
    db.session.commit()
    click.echo(token)
