"""The appeal API for every role: lists, detail, dispatch, the unit's actions (with its extension
request), disclosure."""
from flask import g
from flask_smorest import abort
from marshmallow import fields
from sqlalchemy import select

from accounts.access import get_visible_appeal
from accounts.auth import require_roles
from kernel.db import db
from kernel.http import Blueprint, abort_invalid, page_body
from kernel.schemas import BaseSchema
from models import Appeal, Role, Unit
from models.base import utcnow
from models.city import unit_named
from sla.deadlines import ExtensionError
from sla.extensions import request_extension
from sla.schemas import ExtensionRequestSchema
from workflow.lists import AppealQuerySchema, appeal_list, page_of
from workflow.schemas import AssignSchema, HandoverSchema, NoteSchema, ReasonSchema, ReplySchema, TerritoryChangeSchema, UrgencyChangeSchema
from workflow.transitions import TransitionError, check, dispatch, hand_over, perform, set_territory, set_urgency
from workflow.views import AppealOutSchema, AppealPageSchema, appeal_view

blp = Blueprint("appeals", __name__, url_prefix="/api/v1", description="诉求办理")
ALL_ROLES = (Role.operator, Role.dispatcher, Role.handler, Role.supervisor, Role.admin, Role.partner)


class UnitOutSchema(BaseSchema):
    name = fields.String()
    kind = fields.String()
    routable = fields.Boolean()
    aliases = fields.List(fields.String())


@blp.route("/appeals", methods=["GET"])
@blp.arguments(AppealQuerySchema, location="query")
@blp.response(200, AppealPageSchema)
@blp.paginate()
@require_roles(*ALL_ROLES)
def list_appeals(args, pagination_parameters):
    """诉求列表（按角色限定范围；可筛选、检索、分页；指定 queue 时按紧急程度、再按等待时长排序；诉求人信息已脱敏）"""
    page = pagination_parameters
    items = page_of(appeal_list(g.user, args, utcnow()), page, args.get("queue", "newest"))
    return page_body(page, [appeal_view(a, g.user) for a in items])


@blp.route("/appeals/<string:number>", methods=["GET"])
@blp.response(200, AppealOutSchema)
@require_roles(*ALL_ROLES)
def get_appeal(number):
    """诉求详情与办理记录（话务员、督查室看到完整诉求人信息，并记入日志）"""
    appeal = get_visible_appeal(g.user, number)
    view = appeal_view(appeal, g.user, detail=True)
    db.session.commit()
    return view


def _named(city_id: int, name: str, field: str) -> Unit:
    unit = unit_named(city_id, name)
    if unit is None or unit.retired_at is not None:
        abort_invalid({field: [f"本市没有单位「{name}」"]})
    return unit


def find_territory(city_id: int, name: str) -> Unit:
    unit = _named(city_id, name, "unit")
    if unit.kind != "jurisdiction":
        abort_invalid({"unit": [f"「{unit.name}」不是属地单位（县区、开发区）"]})
    return unit


def find_unit(city_id: int, name: str, field: str) -> Unit:
    """A unit that may handle appeals: a routable one, or a territorial unit (属地), which the
    dispatcher may make lead or assisting although the router never proposes it as lead."""
    unit = _named(city_id, name, field)
    if not unit.routable and unit.kind != "jurisdiction":
        abort_invalid({field: [f"「{unit.name}」不能作为承办单位"]})
    return unit


def _allow(appeal: Appeal, action: str) -> None:
    """403/409 unless the user's role and the appeal's state allow `action`."""
    try:
        check(appeal, action, g.user)
    except TransitionError as error:
        abort(error.status, message=error.message)


def _act(number: str, action: str, **kwargs):
    appeal = get_visible_appeal(g.user, number, for_update=True)
    try:
        perform(appeal, action, g.user, **kwargs)
    except TransitionError as error:
        abort(error.status, message=error.message)
    db.session.commit()
    return appeal_view(appeal, g.user)


@blp.route("/appeals/<string:number>/assign", methods=["POST"])
@blp.arguments(AssignSchema)
@blp.response(200, AppealOutSchema)
@require_roles(Role.dispatcher, Role.admin)
def assign(args, number):
    """派单或改派：指定主办单位和协办单位"""
    appeal = get_visible_appeal(g.user, number, for_update=True)
    lead = find_unit(appeal.city_id, args["lead_unit"], "lead_unit")
    assisting = [find_unit(appeal.city_id, name, "assisting_units") for name in args["assisting_units"]]
    _allow(appeal, "assign")
    dispatch(appeal, lead, assisting, g.user, reason=args["reason"])
    db.session.commit()
    return appeal_view(appeal, g.user)


def _checked(number: str, action: str) -> Appeal:
    """The appeal locked for `action`, which the user's role and its state allow (else 403/409)."""
    appeal = get_visible_appeal(g.user, number, for_update=True)
    _allow(appeal, action)
    return appeal


@blp.route("/appeals/<string:number>/urgency", methods=["POST"])
@blp.arguments(UrgencyChangeSchema)
@blp.response(200, AppealOutSchema)
@require_roles(Role.dispatcher, Role.supervisor, Role.admin)
def change_urgency(args, number):
    """调整紧急程度（须说明原因）；正在计时的办理时限按新的紧急程度重新计算"""
    appeal = _checked(number, "set_urgency")
    if args["urgency"] == appeal.urgency:
        abort(409, message="紧急程度未变化")
    set_urgency(appeal, args["urgency"], g.user, args["reason"])
    db.session.commit()
    return appeal_view(appeal, g.user)


@blp.route("/appeals/<string:number>/territory", methods=["POST"])
@blp.arguments(TerritoryChangeSchema)
@blp.response(200, AppealOutSchema)
@require_roles(Role.dispatcher, Role.admin)
def change_territory(args, number):
    """更正属地（县区、开发区）；作为属地协办的原属地由新属地替换，记入办理记录"""
    appeal = _checked(number, "set_territory")
    unit = find_territory(appeal.city_id, args["unit"]) if args["unit"] else None
    if unit is appeal.territory_unit:
        abort(409, message="属地未变化")
    set_territory(appeal, unit, g.user, args["reason"])
    db.session.commit()
    return appeal_view(appeal, g.user)


@blp.route("/appeals/<string:number>/handover", methods=["POST"])
@blp.arguments(HandoverSchema)
@blp.response(200, AppealOutSchema)
@require_roles(Role.operator, Role.dispatcher, Role.supervisor, Role.admin)
def handover(args, number):
    """登记已转 110/119/120（三台联动）：转给了哪些、何时、由谁"""
    appeal = _checked(number, "handover")
    hand_over(appeal, args["services"], g.user, args["note"])
    db.session.commit()
    return appeal_view(appeal, g.user)


# The lead unit's steps: (action, endpoint, body schema, body field kept as the event's reason, summary).
HANDLER_ACTIONS = [
    ("accept", "accept", NoteSchema, "note", "签收"),
    ("contact", "contact", NoteSchema, "note", "记录首次联系企业"),
    ("return", "return_appeal", ReasonSchema, "reason", "退单（须说明原因），诉求回到派单员"),
    ("reply", "reply", ReplySchema, "text", "答复企业"),
    ("close", "close", NoteSchema, "note", "办结"),
]


def _register_handler_action(action, endpoint, schema, field, summary):
    @blp.route(f"/appeals/<string:number>/{action}", methods=["POST"], endpoint=endpoint)
    @blp.arguments(schema)
    @blp.response(200, AppealOutSchema)
    @blp.doc(summary=summary, operationId=endpoint)
    @require_roles(Role.handler)
    def view(args, number):
        return _act(number, action, reason=args[field])


for _action in HANDLER_ACTIONS:
    _register_handler_action(*_action)


@blp.route("/appeals/<string:number>/extension", methods=["POST"])
@blp.arguments(ExtensionRequestSchema)
@blp.response(200, AppealOutSchema)
@require_roles(Role.handler)
def ask_extension(args, number):
    """申请延期（在时限届满前，说明理由和新的办结日期；由督查室审批）"""
    appeal = get_visible_appeal(g.user, number, for_update=True)
    try:
        request_extension(appeal, g.user, args["new_due"], args["reason"])
    except ExtensionError as error:
        abort(409, message=str(error))
    db.session.commit()
    return appeal_view(appeal, g.user)


@blp.route("/appeals/<string:number>/disclosures", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(200, AppealOutSchema)
@require_roles(Role.handler, Role.dispatcher)
def disclose(args, number):
    """查看完整诉求人信息（须说明原因，记入日志）"""
    appeal = get_visible_appeal(g.user, number)
    view = appeal_view(appeal, g.user, detail=True, disclose_reason=args["reason"])
    db.session.commit()
    return view


@blp.route("/units", methods=["GET"])
@blp.response(200, UnitOutSchema(many=True))
@require_roles(*ALL_ROLES)
def list_units():
    """本市单位名册"""
    units = db.session.scalars(
        select(Unit).where(Unit.city_id == g.user.city_id, Unit.retired_at.is_(None)).order_by(Unit.id)
    ).all()
    return [{"name": u.name, "kind": u.kind, "routable": u.routable, "aliases": [a.alias for a in u.aliases]}
            for u in units]
