"""Schemas of the webhook admin API: partners, subscriptions, deliveries."""
from marshmallow import ValidationError, fields, validate, validates_schema

from kernel.schemas import BaseSchema, PageOutSchema
from webhooks.events import ALL_EVENT_TYPES
from webhooks.mapping import MappingSchema
from webhooks.targets import TargetRefused, check_url

SLUG = validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,31}$", error="标识应为2至32位小写字母、数字或连字符")


def public_target(url: str) -> None:
    try:
        check_url(url)
    except TargetRefused as error:
        raise ValidationError(str(error)) from None


def url_field(**kwargs) -> fields.Url:
    return fields.Url(schemes={"http", "https"}, require_tld=False, validate=[validate.Length(max=500), public_target],
                      error_messages={"invalid": "请填写 http(s) 地址", "required": "请填写接收地址"}, **kwargs)


def event_types_field(**kwargs) -> fields.List:
    return fields.List(
        fields.String(validate=validate.OneOf(ALL_EVENT_TYPES, error="未知事件类型，可选：" + "、".join(ALL_EVENT_TYPES))),
        validate=validate.Length(min=1, error="至少选择一种事件"),
        error_messages={"required": "请选择要推送的事件"}, **kwargs)


class PartnerInSchema(BaseSchema):
    slug = fields.String(required=True, validate=SLUG, error_messages={"required": "请填写平台标识"},
                         metadata={"description": "推送地址 /webhooks/<slug>/appeals 中的标识，也是对方编号的前缀"})
    name = fields.String(required=True, validate=validate.Length(min=2, max=64, error="名称应为2至64个字"),
                         error_messages={"required": "请填写平台名称"})
    mapping = fields.Nested(MappingSchema, required=True, error_messages={"required": "请填写字段对应关系"})


class PartnerPatchSchema(BaseSchema):
    name = fields.String(validate=validate.Length(min=2, max=64, error="名称应为2至64个字"))
    mapping = fields.Nested(MappingSchema)
    active = fields.Boolean(metadata={"description": "false：停用（推送一律拒绝）"})


class RotateSchema(BaseSchema):
    overlap_hours = fields.Integer(
        load_default=None, validate=validate.Range(min=0, max=720, error="重叠期应为0至720小时"),
        metadata={"description": "旧密钥继续有效的小时数，默认24"})


class SecretOutSchema(BaseSchema):
    secret = fields.String(metadata={"description": "新密钥，只显示这一次"})
    previous_valid_until = fields.DateTime(allow_none=True, metadata={"description": "旧密钥失效时间"})


class PartnerOutSchema(BaseSchema):
    slug = fields.String()
    name = fields.String()
    active = fields.Boolean()
    username = fields.String(metadata={"description": "代表该平台的用户（角色 partner）"})
    mapping = fields.Dict()
    previous_valid_until = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    secret = fields.String(metadata={"description": "只在创建时返回一次"})


class SubscriptionInSchema(BaseSchema):
    url = url_field(required=True)
    unit = fields.String(load_default=None, metadata={"description": "订阅单位名称（与 partner 二选一）"})
    partner = fields.String(load_default=None, metadata={"description": "订阅的合作平台标识（与 unit 二选一）"})
    event_types = event_types_field(required=True)

    @validates_schema
    def one_owner(self, data, **kwargs):
        if (data.get("unit") is None) == (data.get("partner") is None):
            raise ValidationError("请指定订阅单位（unit）或合作平台（partner），二者只能选一", "unit")


class SubscriptionPatchSchema(BaseSchema):
    url = url_field()
    event_types = event_types_field()
    active = fields.Boolean()


class SubscriptionOutSchema(BaseSchema):
    id = fields.Integer()
    url = fields.String()
    unit = fields.String(allow_none=True)
    partner = fields.String(allow_none=True)
    event_types = fields.List(fields.String())
    active = fields.Boolean()
    previous_valid_until = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    secret = fields.String(metadata={"description": "只在创建时返回一次"})


class DeliveryQuerySchema(BaseSchema):
    state = fields.String(validate=validate.OneOf(["pending", "sending", "delivered", "dead"], error="未知状态"))
    event_type = fields.String(validate=validate.OneOf(ALL_EVENT_TYPES, error="未知事件类型"))
    subscription = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1, error="订阅编号应为正整数"))
    appeal = fields.String(metadata={"description": "受理编号"})


class AttemptOutSchema(BaseSchema):
    number = fields.Integer()
    started_at = fields.DateTime()
    status_code = fields.Integer(allow_none=True)
    latency_ms = fields.Integer()
    error = fields.String(allow_none=True)


class DeliveryOutSchema(BaseSchema):
    id = fields.Integer()
    key = fields.String(metadata={"description": "幂等键（X-Delivery-Id）"})
    subscription = fields.Integer()
    event_type = fields.String()
    appeal = fields.String(allow_none=True)
    state = fields.String()
    attempts = fields.Integer()
    attempt_limit = fields.Integer()
    next_attempt_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    last_error = fields.String(allow_none=True)
    payload = fields.Dict()
    attempt_log = fields.List(fields.Nested(AttemptOutSchema))


class DeliveryPageSchema(PageOutSchema):
    items = fields.List(fields.Nested(DeliveryOutSchema))
