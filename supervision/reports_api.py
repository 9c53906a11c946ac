"""Follow-up API (operator's phone call, partner / mini-program), measures and the monthly
bulletin (JSON and XLSX)."""
import io

from flask import current_app, g, send_file
from flask_smorest import abort
from marshmallow import ValidationError, fields, validate, validates_schema

from accounts.access import get_visible_appeal, visible_appeals
from accounts.auth import require_roles
from kernel.db import db, paged
from kernel.http import Blueprint, page_body
from kernel.schemas import BaseSchema
from models import City, Role
from supervision.bulletin import bulletin, bulletin_xlsx, month_bounds
from supervision.followup import (
    CHANNELS,
    FOLLOW_UP_ORDER,
    RATINGS,
    FollowUpError,
    awaiting_follow_up,
    record_follow_up,
    record_unreached,
)
from supervision.measures import measures
from supervision.office import OFFICE, city_id_for
from supervision.schemas import MonthArgs
from workflow.views import AppealOutSchema, AppealPageSchema, appeal_view

blp = Blueprint("supervision_reports", __name__, url_prefix="/api/v1", description="回访、考核与通报")
CHANNEL_BY_ROLE = {Role.operator: "phone", Role.admin: "phone", Role.partner: "miniprogram"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FollowUpSchema(BaseSchema):
    reached = fields.Boolean(load_default=True, metadata={
        "description": "电话是否接通；false 时只记录一次未接通（solved、rating 不填），诉求仍待回访"})
    solved = fields.Boolean(metadata={"description": "接通时必填"})
    rating = fields.String(validate=validate.OneOf(list(RATINGS), error="满意度应为 satisfied、"
                           "fairly_satisfied 或 dissatisfied"), metadata={"description": "接通时必填"})
    channel = fields.String(validate=validate.OneOf(list(CHANNELS), error="未知回访渠道"),
                            metadata={"description": "默认：话务员为 phone，合作平台为 miniprogram"})
    note = fields.String(load_default=None, validate=validate.Length(max=2000, error="说明不超过2000字"))

    @validates_schema
    def answered_when_reached(self, data, **kwargs):
        if not data.get("reached", True):
            return
        errors = {}
        if "solved" not in data:
            errors["solved"] = ["请说明是否已解决"]
        if "rating" not in data:
            errors["rating"] = ["请选择满意度"]
        if errors:
            raise ValidationError(errors)


class MeasureRowSchema(BaseSchema):
    unit_id = fields.Integer()
    unit = fields.String()
    appeals = fields.Integer()
    response_base = fields.Integer()
    responded_on_time = fields.Integer()
    followed_up = fields.Integer()
    solved = fields.Integer()
    satisfied = fields.Integer()
    fairly_satisfied = fields.Integer()
    closed = fields.Integer()
    closed_on_time = fields.Integer()
    open_overdue = fields.Integer()
    reopened = fields.Integer()
    extended = fields.Integer()
    assignments = fields.Integer()
    returned = fields.Integer()
    response_rate = fields.Float(allow_none=True)
    resolution_rate = fields.Float(allow_none=True)
    satisfaction_rate = fields.Float(allow_none=True)
    on_time_rate = fields.Float(allow_none=True)
    return_rate = fields.Float(allow_none=True)
    reopen_rate = fields.Float(allow_none=True)
    extension_rate = fields.Float(allow_none=True)
    median_handling_hours = fields.Float(allow_none=True)


class MeasuresSchema(BaseSchema):
    city = fields.Nested(MeasureRowSchema)
    units = fields.List(fields.Nested(MeasureRowSchema))
    territories = fields.List(fields.Nested(MeasureRowSchema), metadata={
        "description": "按属地（县区、开发区）：属地内的诉求，无论属地主办还是协办；unit 为属地名称"})


class OverdueSchema(BaseSchema):
    number = fields.String()
    unit = fields.String(allow_none=True)
    urgency = fields.String()
    urgency_label = fields.String()
    enterprise = fields.String()
    completion_due = fields.DateTime()
    overdue_days = fields.Integer()


class TopicSchema(BaseSchema):
    topic = fields.String(metadata={"description": "部门类别：事项（未分类：未经自动分拨）"})
    kind = fields.String(allow_none=True, metadata={"description": "部门类别"})
    matter = fields.String(allow_none=True, metadata={"description": "分工表事项"})
    appeals = fields.Integer()


class BulletinSchema(BaseSchema):
    month = fields.String()
    generated_at = fields.DateTime()
    measures = fields.Nested(MeasuresSchema)
    overdue = fields.List(fields.Nested(OverdueSchema))
    topics = fields.List(fields.Nested(TopicSchema))


def _weight(args) -> float:
    return args.get("fairly_weight", float(current_app.config.get("SLA_FAIRLY_SATISFIED_WEIGHT", 1.0)))


@blp.route("/appeals/<string:number>/follow-up", methods=["POST"])
@blp.arguments(FollowUpSchema)
@blp.response(200, AppealOutSchema)
@require_roles(Role.operator, Role.admin, Role.partner)
def follow_up(args, number):
    """回访：是否解决、满意度（未解决或不满意的重办一次，再次不满意转督办）；电话未接通只记录一次尝试"""
    appeal = get_visible_appeal(g.user, number, for_update=True)
    channel = args.get("channel") or CHANNEL_BY_ROLE[g.user.role]
    try:
        if args["reached"]:
            record_follow_up(appeal, args["solved"], args["rating"], g.user, channel, args["note"])
        else:
            record_unreached(appeal, g.user, args["note"])
    except FollowUpError as error:
        abort(409, message=str(error))
    db.session.commit()
    return appeal_view(appeal, g.user)


@blp.route("/follow-ups", methods=["GET"])
@blp.response(200, AppealPageSchema)
@blp.paginate()
@require_roles(Role.operator, Role.admin)
def list_follow_ups(pagination_parameters):
    """待回访：已办结、本次办结后尚未回访的诉求，办结最早的在前（诉求人信息已脱敏）"""
    page = pagination_parameters
    items = paged(awaiting_follow_up(visible_appeals(g.user)), page, *FOLLOW_UP_ORDER)
    return page_body(page, [appeal_view(a, g.user) for a in items])


@blp.route("/supervision/measures", methods=["GET"])
@blp.arguments(MonthArgs, location="query")
@blp.response(200, MeasuresSchema)
@require_roles(*OFFICE)
def get_measures(args):
    """各单位和全市当月考核指标（响应率、解决率、满意率、按时办结率等）"""
    start, end = month_bounds(args["month"])
    return measures(city_id_for(args), start, end, fairly_weight=_weight(args))


@blp.route("/supervision/bulletin", methods=["GET"])
@blp.arguments(MonthArgs, location="query")
@blp.response(200, BulletinSchema)
@require_roles(*OFFICE)
def get_bulletin(args):
    """每月通报（JSON）"""
    return bulletin(city_id_for(args), args["month"], fairly_weight=_weight(args))


@blp.route("/supervision/bulletin.xlsx", methods=["GET"])
@blp.arguments(MonthArgs, location="query")
@blp.response(200, content_type=XLSX)
@require_roles(*OFFICE)
def get_bulletin_xlsx(args):
    """每月通报（Excel 下载）"""
    city_id = city_id_for(args)
    data = bulletin(city_id, args["month"], fairly_weight=_weight(args))
    city = db.session.get(City, city_id)
    return send_file(io.BytesIO(bulletin_xlsx(data, city.name)), mimetype=XLSX, as_attachment=True,
                     download_name=f"{city.code}-{args['month']}-bulletin.xlsx")
