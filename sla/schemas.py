"""The SLA's request and answer schemas, shared by the API and the pages: a rule set, a calendar
override, a unit's extension request."""
from marshmallow import fields, validate

from kernel.schemas import BaseSchema


class RuleSetSchema(BaseSchema):
    version = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    rules = fields.Dict(required=True, error_messages={"required": "请提交规则"},
                        metadata={"description": "紧急程度 -> 各项时限，格式同 GET 返回"})


class OverrideSchema(BaseSchema):
    day = fields.Date(required=True, error_messages={"required": "请填写日期", "invalid": "日期格式应为 YYYY-MM-DD"})
    working = fields.Boolean(required=True, error_messages={"required": "请说明是否工作日"})
    note = fields.String(load_default="", validate=validate.Length(max=200))


class ExtensionRequestSchema(BaseSchema):
    new_due = fields.Date(required=True, error_messages={"required": "请填写新的办结日期",
                                                         "invalid": "日期格式应为 YYYY-MM-DD"})
    reason = fields.String(required=True, validate=validate.Length(min=2, max=2000, error="理由应为2至2000字"),
                           error_messages={"required": "请填写延期理由"})
