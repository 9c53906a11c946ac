"""The supervision office's request and answer schemas shared by its API (supervision.api,
supervision.reports_api) and its pages (web.supervision)."""
from marshmallow import fields, validate

from kernel.schemas import BaseSchema
from workflow.lists import AppealFilterArgs


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


class MonthArgs(CityArgs):
    month = fields.String(required=True, validate=validate.Regexp(r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$",
                          error="月份应为 YYYY-MM（1900至2099年）"), error_messages={"required": "请填写月份"})
    fairly_weight = fields.Float(validate=validate.Range(min=0, max=1, error="权重应在0至1之间"),
                                 metadata={"description": "满意率中“基本满意”的权重，默认取配置 "
                                                          "SLA_FAIRLY_SATISFIED_WEIGHT（未配置为1）"})


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
