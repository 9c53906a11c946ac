"""`flask users …`: create users; `flask tokens …`: list, issue and revoke API tokens."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from accounts.passwords import check_strength, set_password
from accounts.tokens import STATES, city_tokens, issue_token, revoke, token_state
from accounts.users import create_user
from kernel.db import db
from models import ApiToken, City, Role, User
from models.base import utcnow
from models.city import unit_named

users = click.Group("users", help="用户（创建时签发一个令牌）")
tokens = click.Group("tokens", help="API 令牌：列出、签发、吊销")
CHINA = ZoneInfo("Asia/Shanghai")


def _city(name: str) -> City:
    city = db.session.scalar(select(City).where(City.name == name))
    if city is None:
        raise click.UsageError(f"未知城市「{name}」")
    return city


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
    city = _city(city_name)
    unit = None
    if unit_name:
        unit = unit_named(city.id, unit_name)
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


def _local(value: datetime | None) -> str:
    return f"{value.astimezone(CHINA):%Y-%m-%d %H:%M}" if value else "-"


@tokens.command("list")
@click.option("--city", "city_name", help="只列出该城市用户的令牌")
@click.option("--user", "username", help="只列出该用户的令牌")
@click.option("--all", "show_all", is_flag=True, help="也列出已过期和已吊销的令牌")
@with_appcontext
def list_tokens_command(city_name, username, show_all):
    """列出令牌：编号、用户、角色、标签、签发时间、到期时间、状态（令牌本身不可再显示）。"""
    city_id = _city(city_name).id if city_name else None
    now = utcnow()
    for token in db.session.scalars(city_tokens(city_id, username)):
        state = token_state(token, now)
        if show_all or state == "active":
            click.echo(f"{token.id:<6} {token.user.username:<20} {token.user.role:<11} {token.label or '-':<12} "
                       f"{_local(token.created_at)}  {_local(token.expires_at)}  {STATES[state]}")


@tokens.command("create")
@click.option("--label", default="cli", help="用途说明，如 12345平台生产环境")
@click.option("--days", type=click.IntRange(min=1), help="有效天数；不填则长期有效，直到吊销")
@click.argument("username")
@with_appcontext
def create_token_command(label, days, username):
    """为用户 USERNAME 签发新令牌并打印（只显示一次）。"""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.UsageError(f"未知用户「{username}」")
    token = issue_token(user, label=label[:64], expires_at=utcnow() + timedelta(days=days) if days else None)
    db.session.commit()
    click.echo(token)


@tokens.command("revoke")
@click.option("--user", "username", help="吊销该用户的全部令牌")
@click.argument("token_ids", nargs=-1, type=int)
@with_appcontext
def revoke_tokens_command(username, token_ids):
    """吊销编号为 TOKEN_IDS 的令牌（见 flask tokens list），或 --user 的全部令牌；立即失效。"""
    if not token_ids and not username:
        raise click.UsageError("请给出令牌编号，或用 --user 指定用户")
    chosen = list(db.session.scalars(city_tokens(username=username))) if username else []
    for token_id in token_ids:
        token = db.session.get(ApiToken, token_id)
        if token is None:
            raise click.UsageError(f"没有编号为 {token_id} 的令牌")
        chosen.append(token)
    for token in chosen:
        revoke(token)
    db.session.commit()
    click.echo(f"已吊销 {len(chosen)} 个令牌")
