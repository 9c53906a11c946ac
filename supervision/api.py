"""Supervision office API: yellow/overdue lists, full history, supervision orders, extension
decisions. Everyone sees only their own city: naming another one is refused, admins included."""
from datetime import timedelta

from flask import g
from flask_smorest import abort
from marshmallow import fields, validate
from sqlalchemy import Select, select

from accounts.auth import require_roles
from kernel.http import Blueprint
from kernel.db import db
from kernel.schemas import BaseSchema
from models import Appeal, AppealClock, FollowUp, Role, SupervisionOrder
from kernel.vocabulary import STATUS_LABELS, URGENCY_LABELS
from models.base import utcnow
from sla.colours import by_colour
from sla.deadlines import ExtensionError
from sla.extensions import decide
from sla.service import appeal_clock
from supervision import orders
from workflow.lists import AppealFilterArgs, filtered, page_of
from workflow.views import EventOutSchema

blp = Blueprint("supervision", __name__, url_prefix="/api/v1/supervision", description="督查督办")
SECURED = [{"bearerAuth": []}]
OFFICE = (Role.supervisor, Role.admin)


class CityArgs(BaseSchema):
    city = fields.String(metadata={"description": "城市名称（只能是本市；可不填）"})


class ClockListArgs(CityArgs, AppealFilterArgs):
    colour = fields.String(load_default="red", validate=validate.OneOf(["red", "yellow", "pending"],
                           error="colour 应为 red、yellow 或 pending"),
                           metadata={"description": "red 超期，yellow 临期，pending 时限待定"})
    min_age_days = fields.Integer(validate=validate.Range(min=0, max=36_500, error="天数应为0至36500"),
                                  metadata={"description": "受理至今至少多少天"})


class ClockItemSchema(BaseSchema):
    number = fields.String()
    unit = fields.String(allow_none=True)
    urgency = fields.String()
    urgency_label = fields.String()
    status_label = fields.String()
    enterprise = fields.String()
    received_at = fields.DateTime()
    completion_due = fields.DateTime(allow_none=True)
    colour = fields.String(allow_none=True)
    label = fields.String()
    extension_requested_due = fields.DateTime(allow_none=True)
    extension_reason = fields.String(allow_none=True)


class ClockPageSchema(BaseSchema):
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()
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


class IssueSchema(BaseSchema):
    appeal = fields.String(required=True, error_messages={"required": "请填写受理编号"})
    reason = fields.String(required=True, validate=validate.Length(min=2, max=2000, error="督办事由应为2至2000字"),
                           error_messages={"required": "请填写督办事由"})


class TextSchema(BaseSchema):
    text = fields.String(required=True, validate=validate.Length(min=2, max=5000, error="内容应为2至5000字"),
                         error_messages={"required": "请填写内容"})


class DecisionSchema(BaseSchema):
    approve = fields.Boolean(required=True, error_messages={"required": "请说明批准或不批准"})
    note = fields.String(load_default=None, validate=validate.Length(max=2000))


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


def city_id_for(args) -> int:
    """The user's own city; a `city` argument naming any other one is refused (there is no
    province-level role: an admin administers one city)."""
    name = args.get("city")
    if name and name != g.user.city.name:
        abort(403, message="只能查看本市")
    return g.user.city_id


def _appeal(number: str, city_id: int, for_update: bool = False) -> Appeal:
    query = select(Appeal).where(Appeal.number == number, Appeal.city_id == city_id)
    appeal = db.session.scalar(query.with_for_update(of=Appeal) if for_update else query)
    if appeal is None:
        abort(404, message=f"未找到诉求 {number}")
    return appeal


def clock_item(appeal: Appeal, now=None) -> dict:
    clock, view = appeal.clock, appeal_clock(appeal, now)
    return {"number": appeal.number, "unit": appeal.lead_unit.name if appeal.lead_unit else None,
            "urgency": appeal.urgency, "urgency_label": URGENCY_LABELS[appeal.urgency],
            "status_label": STATUS_LABELS[appeal.status], "enterprise": appeal.enterprise_name,
            "received_at": appeal.received_at, "completion_due": view["due"], "colour": view["colour"],
            "label": view["label_zh"], "extension_requested_due": clock.extension_due if clock else None,
            "extension_reason": clock.extension_reason if clock else None}


def clock_list(city_id: int, args: dict, now) -> Select:
    """A supervision list (red, yellow or pending) with the appeal lists' filters and search."""
    colour = args.get("colour", "red")
    query = filtered(by_colour(city_id, colour, now), {k: v for k, v in args.items() if k != "colour"}, now)
    if "min_age_days" in args:
        query = query.where(Appeal.received_at <= now - timedelta(days=args["min_age_days"]))
    return query


@blp.route("/appeals", methods=["GET"])
@blp.arguments(ClockListArgs, location="query")
@blp.response(200, ClockPageSchema)
@blp.paginate()
@blp.doc(security=SECURED)
@require_roles(*OFFICE)
def list_clocks(args, pagination_parameters):
    """超期、临期、时限待定诉求（可按城市、单位、紧急程度、渠道、受理日期、受理天数筛选，可检索，分页）"""
    now, page = utcnow(), pagination_parameters
    items = page_of(clock_list(city_id_for(args), args, now), page, "due")
    return {"total": page.item_count, "page": page.page, "page_size": page.page_size,
            "items": [clock_item(a, now) for a in items]}


@blp.route("/appeals/<string:number>/history", methods=["GET"])
@blp.arguments(CityArgs, location="query")
@blp.response(200, HistorySchema)
@blp.doc(security=SECURED)
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
@blp.doc(security=SECURED)
@require_roles(*OFFICE)
def pending_extensions(args):
    """待审批的延期申请"""
    found = db.session.scalars(select(Appeal).join(AppealClock).where(
        Appeal.city_id == city_id_for(args), AppealClock.extension_due.isnot(None)).order_by(Appeal.id))
    return [clock_item(a) for a in found]


@blp.route("/appeals/<string:number>/extension", methods=["POST"])
@blp.arguments(DecisionSchema)
@blp.response(200, ClockItemSchema)
@blp.doc(security=SECURED)
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
@blp.doc(security=SECURED)
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
@blp.doc(security=SECURED)
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
@blp.doc(security=SECURED)
@require_roles(Role.handler)
def respond_order(args, order_id):
    """被督办单位反馈"""
    return _step(order_id, orders.respond, args["text"])


@blp.route("/orders/<int:order_id>/close", methods=["POST"])
@blp.arguments(TextSchema)
@blp.response(200, OrderSchema)
@blp.doc(security=SECURED)
@require_roles(*OFFICE)
def close_order(args, order_id):
    """督办办结（填写结论）"""
    return _step(order_id, orders.close, args["text"])
