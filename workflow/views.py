"""An appeal as a given user may see it; every full read of complainant data is logged."""
from marshmallow import fields

from accounts.access import sees_full_complainant
from events.log import lock_appeal, record
from kernel.schemas import BaseSchema, PageOutSchema
from kernel.vocabulary import CHANNEL_LABELS, STATUS_LABELS, URGENCY_LABELS
from models import Appeal, Role, User
from privacy.masking import mask_name, mask_phone
from sla.service import deadlines_view


class EnterpriseOutSchema(BaseSchema):
    name = fields.String()
    uscc = fields.String(allow_none=True)


class ComplainantOutSchema(BaseSchema):
    name = fields.String()
    phone = fields.String()
    masked = fields.Boolean(metadata={"description": "为真时姓名和电话已脱敏"})


class EventOutSchema(BaseSchema):
    seq = fields.Integer()
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    actor = fields.String()
    reason = fields.String(allow_none=True)
    data = fields.Dict(allow_none=True)
    created_at = fields.DateTime()


class SlaOutSchema(BaseSchema):
    colour = fields.String(allow_none=True, metadata={"description": "green/yellow/red，未派单、退单或时限待定时为空"})
    label = fields.String(metadata={"description": "正常、临期、超期、时限待定、已办结等"})
    pending = fields.Boolean(metadata={"description": "为真时日历尚无该年节假日安排，时限待定"})
    rule_version = fields.Integer(allow_none=True)
    started_at = fields.DateTime(allow_none=True)
    accept_due = fields.DateTime(allow_none=True)
    first_response_due = fields.DateTime(allow_none=True)
    completion_due = fields.DateTime(allow_none=True)
    extension_requested_due = fields.DateTime(allow_none=True)
    extensions_granted = fields.Integer()
    dispatch_due = fields.DateTime(allow_none=True, metadata={"description": "派单时限（待人工分拨或已退单时）"})
    dispatch_colour = fields.String(allow_none=True, metadata={"description": "派单时限的亮灯 green/yellow/red"})


class AppealOutSchema(BaseSchema):
    number = fields.String(metadata={"description": "受理编号"})
    city = fields.String()
    channel = fields.String()
    channel_label = fields.String()
    external_id = fields.String(allow_none=True)
    enterprise = fields.Nested(EnterpriseOutSchema)
    complainant = fields.Nested(ComplainantOutSchema)
    text = fields.String()
    urgency = fields.String()
    urgency_label = fields.String()
    status = fields.String()
    status_label = fields.String()
    lead_unit = fields.String(allow_none=True)
    assisting_units = fields.List(fields.String())
    address = fields.String(allow_none=True, metadata={"description": "诉求事项所在地址"})
    territory = fields.String(allow_none=True, metadata={"description": "属地单位（县区、开发区）"})
    territory_source = fields.String(allow_none=True, metadata={
        "description": "属地从何而来：uscc（信用代码）、address（地址）、text（诉求内容中的地名）、dispatcher（分拨员更正）"})
    reply = fields.String(allow_none=True)
    routing = fields.Dict(allow_none=True)
    life_danger = fields.Boolean(metadata={"description": "危及人身安全，须同时转 110/119/120（三台联动）"})
    handover = fields.Dict(allow_none=True, metadata={"description": "已转 110/119/120：services、at、by"})
    received_at = fields.DateTime()
    dispatched_at = fields.DateTime(allow_none=True)
    accepted_at = fields.DateTime(allow_none=True)
    first_response_at = fields.DateTime(allow_none=True)
    replied_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    sla = fields.Nested(SlaOutSchema, metadata={"description": "时限与亮灯"})
    events = fields.List(fields.Nested(EventOutSchema))


class AppealPageSchema(PageOutSchema):
    items = fields.List(fields.Nested(AppealOutSchema))


def needs_handover(appeal: Appeal) -> bool:
    """Life in danger (三台联动): ticked at intake, or flagged by the router."""
    return bool(appeal.life_danger or (appeal.routing or {}).get("life_danger"))


def complainant_view(appeal: Appeal, full: bool) -> dict:
    if full:
        return {"name": appeal.complainant_name, "phone": appeal.complainant_phone, "masked": False}
    return {"name": mask_name(appeal.complainant_name), "phone": mask_phone(appeal.complainant_phone),
            "masked": True}


def appeal_view(appeal: Appeal, user: User, *, detail: bool = False, disclose_reason: str | None = None) -> dict:
    """The appeal for `user`. Full complainant data only in a detail view for roles allowed to see it,
    or through a disclosure; either way the read is appended to the event log (the caller commits)."""
    full = detail and (sees_full_complainant(user) or disclose_reason is not None)
    if full:
        lock_appeal(appeal)
        record(appeal, "disclose" if disclose_reason else "view_complainant", user,
               from_status=appeal.status, reason=disclose_reason or "查看诉求详情")
    view = {
        "number": appeal.number,
        "city": appeal.city.name,
        "channel": appeal.channel,
        "channel_label": CHANNEL_LABELS[appeal.channel],
        "external_id": appeal.external_id,
        "enterprise": {"name": appeal.enterprise_name, "uscc": appeal.enterprise_uscc},
        "complainant": complainant_view(appeal, full),
        "text": appeal.text,
        "urgency": appeal.urgency,
        "urgency_label": URGENCY_LABELS[appeal.urgency],
        "status": appeal.status,
        "status_label": STATUS_LABELS[appeal.status],
        "lead_unit": appeal.lead_unit.name if appeal.lead_unit else None,
        "assisting_units": [u.name for u in appeal.assisting_units],
        "address": appeal.address,
        "territory": appeal.territory_unit.name if appeal.territory_unit else None,
        "territory_source": appeal.territory_source,
        "reply": appeal.reply,
        "life_danger": needs_handover(appeal),
        "handover": appeal.handover,
        # Router suggestions are for the people who dispatch; partners never see them.
        "routing": appeal.routing if user.role in (Role.dispatcher, Role.supervisor, Role.admin) else None,
        **{name: getattr(appeal, name) for name in (
            "received_at", "dispatched_at", "accepted_at", "first_response_at", "replied_at", "closed_at")},
        **deadlines_view(appeal),
    }
    if detail:
        view["events"] = appeal.events if user.role != Role.partner else []
    return view
