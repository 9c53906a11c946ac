"""Supervision office API: yellow/overdue lists, full history, supervision orders, extension
decisions. Everyone sees only their own city: naming another one is refused, admins included."""
from flask import g
from flask_smorest import abort
from marshmallow import fields, validate
from sqlalchemy import select

from accounts.auth import require_roles
from kernel.db import db
from kernel.http import Blueprint, page_body
from kernel.schemas import BaseSchema, PageOutSchema
from models import Appeal, AppealClock, FollowUp, Role, SupervisionOrder
from models.base import utcnow
from sla.deadlines import ExtensionError
from sla.extensions import decide
from supervision import orders
from supervision.office import OFFICE, city_id_for, clock_item, clock_list
from supervision.schemas import CityArgs, ClockItemSchema, ClockListArgs, DecisionSchema, IssueSchema, TextSchema
from workflow.lists import page_of
from workflow.views import EventOutSchema

blp = Blueprint("supervision", __name__, url_prefix="/api/v1/supervision", description="督查督办")


class ClockPageSchema(PageOutSchema):
    items = fields.List(fields.Nested(ClockItemSchema))


class OrderSchema(BaseSchema):
    id = fields.Integer()
    appeal = fields.String()
    unit = fields.String(allow_none=True)
    kind = fields.String()
    kind_label = fields.String()
    status = fields.String()
    status_label = fields.String()
    reason = fields.String()
    response = fields.String(allow_none=True)
    conclusion = fields.String(allow_none=True)
    opened_at = fields.DateTime()
    responded_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)


class OrderArgs(BaseSchema):
    status = fields.String(validate=validate.OneOf(list(orders.STATUS_LABELS), error="未知督办状态"))


class FollowUpOutSchema(BaseSchema):
    solved = fields.Boolean()
    rating = fields.String()
    channel = fields.String()
    note = fields.String(allow_none=True)
    created_at = fields.DateTime()


class HistorySchema(BaseSchema):
    appeal = fields.Nested(ClockItemSchema)
    events = fields.List(fields.Nested(EventOutSchema))
    follow_ups = fields.List(fields.Nested(FollowUpOutSchema))
    orders = fields.List(fields.Nested(OrderSchema))


def _appeal(number: str, city_id: int, for_update: bool = False) -> Appeal:
    query = select(Appeal).where(Appeal.number == number, Appeal.city_id == city_id)
    appeal = db.session.scalar(query.with_for_update(of=Appeal) if for_update else query)
    if appeal is None:
        abort(404, message=f"未找到诉求 {number}")
    return appeal


@blp.route("/appeals", methods=["GET"])
@blp.arguments(ClockListArgs, location="query")
@blp.response(200, ClockPageSchema)
@blp.paginate()
@require_roles(*OFFICE)
def list_clocks(args, pagination_parameters):
    """超期、临期、时限待定诉求（可按城市、单位、紧急程度、渠道、受理日期、受理天数筛选，可检索，分页）"""
    now, page = utcnow(), pagination_parameters
    items = page_of(clock_list(city_id_for(args), args, now), page, "due")
    return page_body(page, [clock_item(a, now) for a in items])


@blp.route("/appeals/<string:number>/history", methods=["GET"])
@blp.arguments(CityArgs, location="query")
@blp.response(200, HistorySchema)
@require_roles(*OFFICE)
def history(args, number):
    """诉求的完整办理记录、回访和督办"""
    appeal = _appeal(number, city_id_for(args))
    follow_ups = db.session.scalars(select(FollowUp).where(FollowUp.appeal_id == appeal.id).order_by(FollowUp.id))
    found = db.session.scalars(select(SupervisionOrder).where(SupervisionOrder.appeal_id == appeal.id)
                               .order_by(SupervisionOrder.id))
    return {"appeal": clock_item(appeal), "events": appeal.events, "follow_ups": list(follow_ups),
            "orders": [orders.order_view(o) for o in found]}


@blp.route("/extensions", methods=["GET"])
@blp.arguments(CityArgs, location="query")
@blp.response(200, ClockItemSchema(many=True))
@require_roles(*OFFICE)
def pending_extensions(args):
    """待审批的延期申请"""
    found = db.session.scalars(select(Appeal).join(AppealClock).where(
        Appeal.city_id == city_id_for(args), AppealClock.extension_due.isnot(None)).order_by(Appeal.id))
    return [clock_item(a) for a in found]


@blp.route("/appeals/<string:number>/extension", methods=["POST"])
@blp.arguments(DecisionSchema)
@blp.response(200, ClockItemSchema)
@require_roles(*OFFICE)
def decide_extension(args, number):
    """批准或不批准延期申请"""
    appeal = _appeal(number, g.user.city_id, for_update=True)
    try:
        decide(appeal, g.user, args["approve"], args["note"])
    except ExtensionError as error:
        abort(409, message=str(error))
    db.session.commit()
    return clock_item(appeal)


@blp.route("/orders", methods=["GET"])
@blp.arguments(OrderArgs, location="query")
@blp.response(200, OrderSchema(many=True))
@require_roles(*OFFICE, Role.handler)
def list_orders(args):
    """督办单（承办人只看本单位的）"""
    query = select(SupervisionOrder).where(SupervisionOrder.city_id == g.user.city_id)
    if g.user.role == Role.handler:
        query = query.where(SupervisionOrder.unit_id == g.user.unit_id)
    if "status" in args:
        query = query.where(SupervisionOrder.status == args["status"])
    return [orders.order_view(o) for o in db.session.scalars(query.order_by(SupervisionOrder.id.desc()))]


@blp.route("/orders", methods=["POST"])
@blp.arguments(IssueSchema)
@blp.response(201, OrderSchema)
@require_roles(*OFFICE)
def issue_order(args):
    """开具督办单"""
    appeal = _appeal(args["appeal"], g.user.city_id, for_update=True)
    order = orders.open_order(appeal, "manual", args["reason"], g.user)
    db.session.commit()
    return orders.order_view(order)


def _order(order_id: int) -> SupervisionOrder:
    order = orders.locked_order(order_id)
    if order is None or order.city_id != g.user.city_id:
        abort(404, message=f"未找到督办单 {order_id}")
    return order


def _step(order_id: int, step, text: str):
    order = _order(order_id)
    try:
        step(order, g.user, text)
    except orders.OrderError as error:
        abort(error.status, message=error.message)
    db.session.commit()
    return orders.order_view(order)


@blp.route("/orders/<int:order_id>/respond", methods=["POST"])
@blp.arguments(TextSchema)
@blp.response(200, OrderSchema)
@require_roles(Role.handler)
def respond_order(args, order_id):
    """被督办单位反馈"""
    return _step(order_id, orders.respond, args["text"])


@blp.route("/orders/<int:order_id>/close", methods=["POST"])
@blp.arguments(TextSchema)
@blp.response(200, OrderSchema)
@require_roles(*OFFICE)
def close_order(args, order_id):
    """督办办结（填写结论）"""
    return _step(order_id, orders.close, args["text"])
