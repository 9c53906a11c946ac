"""Helpers shared by the page blueprints: error pages, form errors, unit choices."""
from flask import Blueprint, current_app, make_response, render_template, request
from flask_smorest.pagination import PaginationParameters
from flask_wtf.csrf import CSRFProtect
from marshmallow import EXCLUDE, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from kernel.db import db
from kernel.errors import outage_message
from kernel.schemas import PageArgs, flat_errors
from models import Role, Unit, User

csrf = CSRFProtect()

ERROR_TITLES = {
    400: "请求有误",
    403: "无权访问此页面",
    404: "页面或诉求不存在",
    405: "不支持的请求方法",
    413: "提交的内容过大",
    429: "操作过于频繁，请稍后再试",
    500: "系统出错了",
    503: "服务暂时不可用",
}


def error_page(error: Exception):
    """HTML errors for the pages (the API keeps its JSON errors)."""
    if isinstance(error, HTTPException):
        code = error.code or 500
        data = getattr(error, "data", None) or {}
        message = data.get("message") or getattr(error, "description", "")
        if code == 400 and "CSRF" in str(message):
            message = "表单已过期或缺少安全令牌，请刷新页面后重新提交"
        elif not message or message == type(error).description:
            message = ""
    elif isinstance(error, (OperationalError, InterfaceError)):
        db.session.rollback()
        code, message = 503, outage_message(error, "操作")
    else:
        db.session.rollback()
        current_app.logger.exception("page failed")
        code, message = 500, "请稍后重试；如果问题持续，请联系管理员"
    title = ERROR_TITLES.get(code, "请求失败")
    response = make_response(render_template("error.html", code=code, title=title, message=message), code)
    if code == 429:
        from accounts.limits import too_many_requests  # the limiter's own Retry-After

        response.headers["Retry-After"] = too_many_requests(error).headers["Retry-After"]
    return response


def page_blueprint(name: str, import_name: str, **options) -> Blueprint:
    """A blueprint of pages: every POST needs its form's CSRF token; errors are HTML pages."""
    blueprint = Blueprint(name, import_name, template_folder="templates", **options)
    blueprint.before_request(lambda: csrf.protect())
    blueprint.register_error_handler(Exception, error_page)
    # Handlers for a status code come before handlers for a class: take 429 from the API's limiter.
    blueprint.register_error_handler(429, error_page)
    return blueprint


def city_units(city_id: int) -> list[Unit]:
    """Units an appeal can be given to, for select boxes."""
    return db.session.scalars(
        select(Unit).where(Unit.city_id == city_id, Unit.retired_at.is_(None), Unit.routable.is_(True))
        .order_by(Unit.id)
    ).all()


def staffed_unit_ids(city_id: int) -> set[int]:
    """Units of the city with at least one active handler account (an appeal given to any other
    unit waits unseen until an account is opened)."""
    return set(db.session.scalars(select(User.unit_id).where(
        User.city_id == city_id, User.role == Role.handler, User.active.is_(True), User.unit_id.isnot(None))))


def unit_choices(city_id: int) -> list[dict]:
    """The dispatcher's unit pickers: every assignable unit and whether it has a handler."""
    staffed = staffed_unit_ids(city_id)
    return [{"name": u.name, "staffed": u.id in staffed} for u in city_units(city_id)]


def list_args(schema, source=None) -> tuple[dict, PaginationParameters, dict, dict]:
    """A list page's filters and page, read from the query string (or a search form) with the
    API's own schemas: (filters, pagination parameters, form values, errors). Empty fields are no
    filter; a bad value is dropped and shown next to its field, the list still shows."""
    values = {key: value.strip() for key, value in (source or request.args).items() if value.strip()}
    errors: dict = {}
    loaded = {}
    for one in (PageArgs(unknown=EXCLUDE), schema(unknown=EXCLUDE)):
        try:
            loaded.update(one.load(values))
        except ValidationError as error:
            errors.update(flat_errors(error.messages))
            loaded.update(one.load({k: v for k, v in values.items() if k not in error.messages}))
    return loaded, PaginationParameters(loaded.pop("page"), loaded.pop("page_size")), values, errors
