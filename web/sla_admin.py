"""SLA administration (管理员): the city's time-limit rules per urgency (a new version on each
save; dispatched appeals keep the version they started with) and the city's calendar overrides.
Validation is the API's (sla.schemas, sla.rules); the national holiday notice changes every
city's deadlines and is loaded by the deployment's operator only (`flask sla calendar load`)."""
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy import select

from kernel.db import db
from kernel.schemas import flat_errors
from models import CalendarYear, Role
from sla import notices, service
from sla.calendar import CalendarError
from sla.rules import FIELDS, OPTIONAL_LIMITS, UNITS, URGENCIES, RuleError
from sla.schemas import OverrideSchema, RuleSetSchema
from web.pages import page_blueprint
from web.session import current_user, login_required

blp = page_blueprint("web_sla_admin", __name__, url_prefix="/admin/sla")
FIELD_LABELS = {
    "dispatch": "派单时限", "accept": "签收时限", "first_response": "首次响应时限", "completion": "办结时限",
    "extension_once": "单次延期上限", "extension_cap_total": "延期后总时限",
    "extension_needs_supervision": "延期须督查室批准",
}
LIMITS = FIELDS[:-1]


def _render_rules(rules: dict, errors: list[str], status: int = 200):
    rule_set = service.current_rule_set(current_user().city_id)
    db.session.commit()
    return render_template("admin/sla_rules.html", rule_set=rule_set, rules=rules, errors=errors,
                           urgencies=URGENCIES, limits=LIMITS, units=UNITS, labels=FIELD_LABELS,
                           optional=OPTIONAL_LIMITS), status


@blp.get("/rules")
@login_required(Role.admin)
def rules():
    return _render_rules(service.current_rule_set(current_user().city_id).rules, [])


def _amount(value: str):
    """A whole number stays a number; anything else goes to the rules' own check for its message."""
    return int(value) if value.isascii() and value.isdigit() else value


def rules_from_form(form) -> dict:
    """The rules as the API takes them ({urgency: {field: {"amount", "unit"} | None | bool}}); an
    optional limit left blank is None."""
    data = {}
    for code in URGENCIES:
        rule = {"extension_needs_supervision": form.get(f"{code}.extension_needs_supervision") == "on"}
        for field in LIMITS:
            amount = form.get(f"{code}.{field}.amount", "").strip()
            unit = form.get(f"{code}.{field}.unit", "")
            rule[field] = None if not amount and field in OPTIONAL_LIMITS else {"amount": _amount(amount), "unit": unit}
        data[code] = rule
    return data


@blp.post("/rules")
@login_required(Role.admin)
def save_rules():
    data = rules_from_form(request.form)
    try:
        RuleSetSchema().load({"rules": data})
        rule_set = service.replace_rules(current_user().city_id, data, current_user())
    except ValidationError as error:
        return _render_rules(data, [m for ms in flat_errors(error.messages).values() for m in ms], 400)
    except RuleError as error:
        db.session.rollback()
        return _render_rules(data, [str(error)], 400)
    db.session.commit()
    flash(f"时限规则已保存为第 {rule_set.version} 版；已派单诉求仍按原版本计时", "ok")
    return redirect(url_for("web_sla_admin.rules"))


def calendar_status() -> list[dict]:
    """This year and the next: whether the national calendar knows them, and from where."""
    loaded = {row.year: row for row in db.session.scalars(select(CalendarYear))}
    national = service.city_calendar(None)
    status = []
    for year in (date.today().year, date.today().year + 1):
        try:
            national.is_working_day(date(year, 12, 31))
            known = True
        except CalendarError:
            known = False
        row = loaded.get(year)
        source = (row.source or "已导入") if row else ("内置日历（chinese_calendar）" if known else "")
        status.append({"year": year, "known": known, "source": source})
    return status


def _render_calendar(values: dict, errors: dict, status: int = 200):
    return render_template("admin/sla_calendar.html", overrides=notices.overrides(current_user().city_id),
                           years=calendar_status(), values=values, errors=errors), status


@blp.get("/calendar")
@login_required(Role.admin)
def calendar():
    return _render_calendar({"working": "no"}, {})


@blp.post("/calendar")
@login_required(Role.admin)
def set_override():
    """A day of this city worked or off, whatever the national calendar says."""
    values = {name: request.form.get(name, "").strip() for name in ("day", "working", "note")}
    try:
        data = OverrideSchema().load({"day": values["day"], "working": values["working"] == "yes",
                                      "note": values["note"]})
    except ValidationError as error:
        return _render_calendar(values, flat_errors(error.messages), 400)
    notices.set_override(current_user().city_id, data["day"], data["working"], data["note"])
    db.session.commit()
    flash(f"{data['day'].isoformat()} 已设为本市{'工作日' if data['working'] else '休息日'}", "ok")
    return redirect(url_for("web_sla_admin.calendar"))


@blp.post("/calendar/<day>/delete")
@login_required(Role.admin)
def delete_override(day):
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        parsed = None
    if parsed is None or not notices.delete_override(current_user().city_id, parsed):
        flash(f"本市日历没有 {day} 的调整", "error")
    else:
        db.session.commit()
        flash(f"已删除 {day} 的调整", "ok")
    return redirect(url_for("web_sla_admin.calendar"))
