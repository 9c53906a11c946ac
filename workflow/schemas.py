"""The bodies of the appeal actions (dispatch, the unit's steps, urgency, territory, handover):
one definition for the API (workflow.api) and the pages (web)."""
from marshmallow import fields, validate

from kernel.schemas import BaseSchema
from kernel.vocabulary import Urgency
from workflow.transitions import EMERGENCY_SERVICES


class AssignSchema(BaseSchema):
    lead_unit = fields.String(required=True, error_messages={"required": "请选择主办单位"})
    assisting_units = fields.List(fields.String(), load_default=list)
    reason = fields.String(load_default=None, validate=validate.Length(max=500))


class NoteSchema(BaseSchema):
    note = fields.String(load_default=None, validate=validate.Length(max=2000, error="说明不超过2000字"))


class ReasonSchema(BaseSchema):
    reason = fields.String(required=True, validate=validate.Length(min=2, max=2000, error="原因应为2至2000字"),
                           error_messages={"required": "请填写原因"})


class ReplySchema(BaseSchema):
    text = fields.String(required=True, validate=validate.Length(min=2, max=5000, error="答复内容应为2至5000字"),
                         error_messages={"required": "请填写答复内容"})


class UrgencyChangeSchema(BaseSchema):
    urgency = fields.String(required=True, validate=validate.OneOf([u.value for u in Urgency], error="未知紧急程度"),
                            error_messages={"required": "请选择紧急程度"})
    reason = fields.String(required=True, validate=validate.Length(min=2, max=500, error="原因应为2至500字"),
                           error_messages={"required": "请填写调整原因"})


class TerritoryChangeSchema(BaseSchema):
    unit = fields.String(required=True, allow_none=True, validate=validate.Length(min=1, max=128),
                         metadata={"description": "属地单位（县区、开发区）名称；null 表示不属任何属地"},
                         error_messages={"required": "请选择属地单位"})
    reason = fields.String(required=True, validate=validate.Length(min=2, max=500, error="原因应为2至500字"),
                           error_messages={"required": "请填写更正原因"})


class HandoverSchema(BaseSchema):
    services = fields.List(
        fields.String(validate=validate.OneOf(list(EMERGENCY_SERVICES), error="只能是 110、119 或 120")),
        required=True, validate=validate.Length(min=1, error="请选择已转的 110、119 或 120"),
        error_messages={"required": "请选择已转的 110、119 或 120"})
    note = fields.String(load_default=None, validate=validate.Length(max=500, error="说明不超过500字"))
