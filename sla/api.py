"""SLA API: a city's rule set (read, replace = new version) and the city's calendar overrides
(the lead unit's extension request is an appeal action: workflow.api). The national calendar (a year's State Council notice) changes
every city's deadlines, so no city's account may load it: only `flask sla calendar load`, run by
whoever operates the deployment."""
from datetime import date

from flask import g
from flask_smorest import abort

from accounts.auth import require_roles
from kernel.db import db
from kernel.http import Blueprint
from models import Role
from sla import notices, service
from sla.rules import RuleError
from sla.schemas import OverrideSchema, RuleSetSchema

blp = Blueprint("sla", __name__, url_prefix="/api/v1", description="时限规则与日历")


def _rule_set_view(rule_set) -> dict:
    return {"version": rule_set.version, "created_at": rule_set.created_at, "rules": rule_set.rules}


@blp.route("/sla/rules", methods=["GET"])
@blp.response(200, RuleSetSchema)
@require_roles(Role.supervisor, Role.admin, Role.dispatcher)
def get_rules():
    """本市现行时限规则"""
    rule_set = service.current_rule_set(g.user.city_id)
    db.session.commit()
    return _rule_set_view(rule_set)


@blp.route("/sla/rules", methods=["PUT"])
@blp.arguments(RuleSetSchema)
@blp.response(200, RuleSetSchema)
@require_roles(Role.admin)
def put_rules(args):
    """替换本市时限规则（生成新版本；已派单诉求仍按原版本计时）"""
    try:
        rule_set = service.replace_rules(g.user.city_id, args["rules"], g.user)
    except RuleError as error:
        abort(400, message="时限规则有误", errors={"rules": [str(error)]})
    db.session.commit()
    return _rule_set_view(rule_set)


@blp.route("/sla/calendar/overrides", methods=["GET"])
@blp.response(200, OverrideSchema(many=True))
@require_roles(Role.supervisor, Role.admin)
def list_overrides():
    """本市日历调整"""
    return notices.overrides(g.user.city_id)


@blp.route("/sla/calendar/overrides", methods=["PUT"])
@blp.arguments(OverrideSchema)
@blp.response(200, OverrideSchema)
@require_roles(Role.admin)
def put_override(args):
    """设置本市某日是否工作日（优先于全国安排；不影响已算出的时限）"""
    row = notices.set_override(g.user.city_id, args["day"], args["working"], args["note"])
    db.session.commit()
    return {"day": row.day, "working": row.working, "note": row.note}


@blp.route("/sla/calendar/overrides/<string:day>", methods=["DELETE"])
@blp.response(204)
@require_roles(Role.admin)
def delete_override(day):
    """删除本市某日的调整"""
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        abort(400, message="日期格式应为 YYYY-MM-DD")
    if not notices.delete_override(g.user.city_id, parsed):
        abort(404, message=f"本市日历没有 {day} 的调整")
    db.session.commit()
