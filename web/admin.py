"""User administration (管理员): create users with a password, bind handlers to units, reset
passwords, unlock, deactivate, see and revoke a user's API tokens. Role and unit rules are those
of accounts.users.create_user."""
import re

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from accounts.limits import forget_sign_in_failures
from accounts.passwords import check_strength, set_password
from accounts.tokens import STATES, city_tokens, revoke, token_state
from accounts.users import create_user
from kernel.db import db
from models import ApiToken, Role, Unit, User
from models.base import utcnow
from models.user import ROLE_LABELS
from web.pages import city_units, page_blueprint
from web.session import current_user, login_required

blp = page_blueprint("web_admin", __name__, url_prefix="/admin")
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")


def unit_options(city_id: int) -> list[tuple[str, str]]:
    return [(str(u.id), u.name) for u in city_units(city_id)]


def _unit(value: str) -> Unit | None:
    unit = db.session.get(Unit, int(value)) if value.isdigit() else None
    return unit if unit is not None and unit.city_id == current_user().city_id else None


def _render_list(values: dict, errors: dict, status: int = 200):
    users = db.session.scalars(
        select(User).where(User.city_id == current_user().city_id).order_by(User.role, User.username)
    ).all()
    return render_template("admin/users.html", users=users, values=values, errors=errors, now=utcnow(),
                           roles=list(ROLE_LABELS.items()), unit_options=unit_options(current_user().city_id)), status


@blp.get("/users")
@login_required(Role.admin)
def users():
    return _render_list({"role": "handler"}, {})


@blp.post("/users")
@login_required(Role.admin)
def create():
    values = {name: request.form.get(name, "").strip() for name in ("username", "display_name", "role", "unit")}
    password = request.form.get("password", "")
    errors: dict = {}
    if not USERNAME.match(values["username"]):
        errors["username"] = ["用户名为3至64位字母、数字或 _ . -"]
    if values["role"] not in ROLE_LABELS:
        errors["role"] = ["请选择角色"]
    try:
        check_strength(password)
    except ValueError as error:
        errors["password"] = [str(error)]
    if errors:
        return _render_list(values, errors, 400)
    try:
        user = create_user(values["username"], values["role"], current_user().city,
                           _unit(values["unit"]), values["display_name"])
    except ValueError as error:
        field = "username" if "用户名" in str(error) else "unit"
        return _render_list(values, {field: [str(error)]}, 400)
    set_password(user, password)
    db.session.commit()
    flash(f"已创建用户 {user.username}", "ok")
    return redirect(url_for("web_admin.users"))


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.city_id != current_user().city_id:
        abort(404)
    return user


def _edit_page(user: User, values: dict, errors: dict, status: int = 200):
    tokens = [(token, STATES[token_state(token)]) for token in
              db.session.scalars(city_tokens(user.city_id, user.username))]
    return render_template("admin/user.html", user=user, values=values, errors=errors, tokens=tokens,
                           unit_options=unit_options(user.city_id)), status


@blp.get("/users/<int:user_id>")
@login_required(Role.admin)
def edit(user_id):
    user = _user(user_id)
    return _edit_page(user, {"display_name": user.display_name, "unit": str(user.unit_id or ""),
                             "active": user.active}, {})


@blp.post("/tokens/<int:token_id>/revoke")
@login_required(Role.admin)
def revoke_token(token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user.city_id != current_user().city_id:
        abort(404)
    revoke(token)
    db.session.commit()
    flash(f"已吊销 {token.user.username} 的令牌（编号 {token.id}）", "ok")
    return redirect(url_for("web_admin.edit", user_id=token.user_id))


@blp.post("/users/<int:user_id>")
@login_required(Role.admin)
def update(user_id):
    user = _user(user_id)
    values = {"display_name": request.form.get("display_name", "").strip(), "unit": request.form.get("unit", ""),
              "active": request.form.get("active") == "1"}
    password = request.form.get("password", "")
    errors: dict = {}
    unit = _unit(values["unit"])
    if user.role == Role.handler and unit is None:
        errors["unit"] = ["承办人必须绑定一个单位"]
    if user.id == current_user().id and not values["active"]:
        errors["active"] = ["不能停用自己的账号"]
    if password:
        try:
            set_password(user, password)
        except ValueError as error:
            errors["password"] = [str(error)]
    if errors:
        db.session.rollback()
        return _edit_page(user, values, errors, 400)
    user.display_name = values["display_name"] or user.username
    user.active = values["active"]
    if user.role == Role.handler:
        user.unit = unit
    if request.form.get("unlock") == "1":
        user.locked_until, user.failed_logins = None, 0
        forget_sign_in_failures(user.username)
    db.session.commit()
    flash(f"已保存用户 {user.username}", "ok")
    return redirect(url_for("web_admin.users"))
