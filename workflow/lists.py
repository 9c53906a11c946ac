"""The appeal lists (API, unit queue, dispatch queue, operator and supervision lists): one filter
schema, one function applying filters and search, one place for the order, one page function.

Search reads the number, the enterprise's name and credit code and the appeal text; never the
complainant's fields (they are encrypted and are not decrypted to search)."""
from datetime import datetime, time, timedelta

from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy import Select, case, func, or_, select

from accounts.access import visible_appeals
from kernel.db import db, paged
from kernel.schemas import BaseSchema
from kernel.vocabulary import CHANNEL_LABELS, URGENCY_RANK, Status, Urgency
from models import Appeal, AppealClock, SupervisionOrder, Unit
from sla.calendar import CHINA_TZ
from sla.colours import COLOURS, in_colour

DISPATCH_QUEUE = (Status.manual, Status.returned)
UNIT_QUEUE = (Status.dispatched, Status.accepted, Status.replied)
QUEUES = {"dispatch": (DISPATCH_QUEUE, "待人工分拨和已退单"),
          "unit": (UNIT_QUEUE, "承办单位在办（已派单、已签收、已答复）")}


class AppealFilterArgs(BaseSchema):
    """Filters and search common to every appeal list."""

    urgency = fields.String(validate=validate.OneOf([u.value for u in Urgency], error="未知紧急程度"))
    unit = fields.String(metadata={"description": "主办单位名称"})
    channel = fields.String(validate=validate.OneOf(list(CHANNEL_LABELS), error="未知渠道"))
    received_from = fields.Date(metadata={"description": "受理日期起（含，北京时间）"})
    received_to = fields.Date(metadata={"description": "受理日期止（含，北京时间）"})
    q = fields.String(validate=validate.Length(max=100, error="检索词不超过100字"),
                      metadata={"description": "检索：受理编号、企业名称、统一社会信用代码或诉求内容"})

    @validates_schema
    def dates_in_order(self, data, **kwargs):
        if "received_from" in data and "received_to" in data and data["received_from"] > data["received_to"]:
            raise ValidationError("起始日期不能晚于截止日期", "received_to")


class AppealQuerySchema(AppealFilterArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in Status], error="未知状态"))
    queue = fields.String(validate=validate.OneOf(list(QUEUES), error="未知队列"),
                          metadata={"description": "；".join(f"{k}：{label}" for k, (_, label) in QUEUES.items())
                                    + "。按紧急程度、再按等待时长排序"})
    closed = fields.Boolean(metadata={"description": "true 只看已办结，false 只看未办结"})
    colour = fields.String(validate=validate.OneOf(COLOURS, error="colour 应为 red、yellow、green 或 pending"),
                           metadata={"description": "办理时限颜色：red 超期，yellow 临期，green 正常，pending 时限待定"})
    enterprise = fields.String(metadata={"description": "企业名称（包含）或统一社会信用代码"})


def _day_start(day) -> datetime:
    return datetime.combine(day, time(), CHINA_TZ)


def search_conditions(term: str) -> list:
    """What a search term matches (OR): number, enterprise name or credit code, appeal text."""
    term = term.strip()
    return [Appeal.number.contains(term.upper(), autoescape=True),
            Appeal.enterprise_uscc == term.upper(),
            Appeal.enterprise_name.contains(term, autoescape=True),
            Appeal.text.contains(term, autoescape=True)]


def filtered(query: Select, args: dict, now, extra_matches: tuple = ()) -> Select:
    """The filters and the search of `args` (an AppealQuerySchema load) applied to `query`.
    `extra_matches`: further conditions a search term may match (the operator's phone lookup)."""
    if "queue" in args:
        query = query.where(Appeal.status.in_(QUEUES[args["queue"]][0]))
    if "closed" in args:
        query = query.where((Appeal.status == Status.closed) if args["closed"] else (Appeal.status != Status.closed))
    for name, column in (("status", Appeal.status), ("urgency", Appeal.urgency), ("channel", Appeal.channel)):
        if name in args:
            query = query.where(column == args[name])
    if "unit" in args:
        query = query.where(Appeal.lead_unit_id.in_(
            select(Unit.id).where(Unit.name == args["unit"], Unit.city_id == Appeal.city_id)))
    if "colour" in args:
        query = query.where(in_colour(args["colour"], now))
    if "received_from" in args:
        query = query.where(Appeal.received_at >= _day_start(args["received_from"]))
    if "received_to" in args:
        query = query.where(Appeal.received_at < _day_start(args["received_to"] + timedelta(days=1)))
    if args.get("enterprise"):
        term = args["enterprise"]
        query = query.where((Appeal.enterprise_uscc == term.upper()) | Appeal.enterprise_name.contains(term))
    if args.get("q"):
        query = query.where(or_(*search_conditions(args["q"]), *extra_matches))
    return query


def appeal_list(user, args: dict, now, extra_matches: tuple = ()) -> Select:
    """The appeals `user` may see, filtered and searched (unordered: see ORDERS)."""
    return filtered(visible_appeals(user), args, now, extra_matches)


_completion_due = (select(AppealClock.completion_due).where(AppealClock.appeal_id == Appeal.id)
                   .correlate(Appeal).scalar_subquery())
# Work queues go emergency, urgent, normal and complex alike, consult (an unknown value last).
_urgency_rank = case(URGENCY_RANK, value=Appeal.urgency, else_=-1).desc()

# The order of each list, in one place. Work queues: most urgent first, then longest waiting; the
# dispatch queue waits since the appeal entered it (`queued_at`), with life in danger before all.
ORDERS = {
    "newest": (Appeal.id.desc(),),
    "unit": (_urgency_rank, Appeal.dispatched_at, Appeal.id),
    "closed": (Appeal.closed_at.desc(), Appeal.id.desc()),
    "dispatch": (Appeal.life_danger.desc(), _urgency_rank, func.coalesce(Appeal.queued_at, Appeal.received_at),
                 Appeal.id),
    # Supervision lists: the earliest deadline first.
    "due": (_completion_due, Appeal.id),
}


def page_of(query: Select, page, order: str = "newest") -> list:
    """One page of an appeal list in the named order (see ORDERS)."""
    return paged(query, page, *ORDERS[order])


def marks(appeals: list[Appeal]) -> dict[int, list[str]]:
    """{appeal id: ["督办", "重办"]}: under an open supervision order, reopened after a follow-up."""
    ids = [a.id for a in appeals]
    supervised = set(db.session.scalars(select(SupervisionOrder.appeal_id).where(
        SupervisionOrder.appeal_id.in_(ids), SupervisionOrder.status != "closed")))
    reopened = set(db.session.scalars(select(AppealClock.appeal_id).where(
        AppealClock.appeal_id.in_(ids), AppealClock.reopens > 0)))
    return {i: [label for label, found in (("督办", supervised), ("重办", reopened)) if i in found] for i in ids}
