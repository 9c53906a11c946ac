"""Per-partner payload mapping: where in the partner's JSON each intake field is found.

A mapping is configuration, e.g.::

    {"fields": {"external_id": "ticket.id", "enterprise.name": "ticket.company",
                "complainant.name": "ticket.contact.name", "complainant.phone": "ticket.contact.mobile",
                "text": "ticket.content", "urgency": "ticket.level"},
     "values": {"urgency": {"1": "emergency", "2": "urgent", "3": "normal"}}}

Paths are dotted; a numeric segment indexes a list (``contacts.0.mobile``). The city is the
partner's, the channel is always ``partner`` and the external id is namespaced
``<partner>:<their id>`` so two partners' ids never collide. Errors name the partner's paths.
"""
import re

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from intake.schemas import AppealInSchema
from kernel.schemas import BaseSchema, flat_errors
from kernel.vocabulary import Channel, Urgency

TARGETS = ("external_id", "enterprise.name", "enterprise.uscc", "complainant.name", "complainant.phone",
           "text", "address", "urgency")
REQUIRED_TARGETS = ("external_id", "enterprise.name", "complainant.name", "complainant.phone", "text")
PATH = re.compile(r"^[^.\s]+(\.[^.\s]+)*$")
MISSING = object()


class MappingSchema(BaseSchema):
    fields_ = fields.Dict(
        data_key="fields",
        keys=fields.String(validate=validate.OneOf(TARGETS, error="未知的诉求字段，可选：" + "、".join(TARGETS))),
        values=fields.String(validate=validate.Regexp(PATH, error="字段路径应为以点分隔的名称，如 ticket.contact.mobile")),
        required=True,
        error_messages={"required": "请填写字段对应关系"},
    )
    values = fields.Dict(
        keys=fields.String(validate=validate.OneOf(["urgency"], error="只有 urgency 可以设置取值对照")),
        values=fields.Dict(
            keys=fields.String(),
            values=fields.String(validate=validate.OneOf([u.value for u in Urgency], error="未知紧急程度")),
        ),
        load_default=dict,
    )

    @validates_schema
    def required_targets(self, data, **kwargs):
        missing = [t for t in REQUIRED_TARGETS if t not in data.get("fields_", {})]
        if missing:
            raise ValidationError(f"缺少必需字段的对应关系：{'、'.join(missing)}", "fields")

    @post_load
    def shape(self, data, **kwargs):
        return {"fields": data["fields_"], "values": data["values"]}


def resolve(payload, path: str):
    value = payload
    for segment in path.split("."):
        if isinstance(value, dict) and segment in value:
            value = value[segment]
        elif isinstance(value, list) and segment.isdigit() and int(segment) < len(value):
            value = value[int(segment)]
        else:
            return MISSING
    return value


def map_payload(mapping: dict, payload, partner) -> dict:
    """The intake submission for a partner's payload, validated by the intake schema.

    Raises ValidationError whose messages are keyed by the partner's own field paths."""
    if not isinstance(payload, dict):
        raise ValidationError({"_schema": ["请求体应为 JSON 对象"]})
    paths, values = mapping["fields"], mapping.get("values", {})
    data = {"city": partner.city.name, "channel": Channel.partner, "enterprise": {}, "complainant": {}}
    errors = {}
    for target, path in paths.items():
        value = resolve(payload, path)
        if value is MISSING or value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            # An object, list, true/false or fraction is no id, name or text: never stored as its repr.
            errors[path] = ["应为文字或整数，不能是对象、列表、布尔值或小数"]
            continue
        value = str(value)
        if target in values:
            if str(value) not in values[target]:
                errors[path] = [f"取值「{value}」不在约定范围内，可选：{'、'.join(values[target])}"]
                continue
            value = values[target][str(value)]
        if target == "external_id":
            value = f"{partner.slug}:{value}"
        group, _, leaf = target.partition(".")
        if leaf:
            data[group][leaf] = value
        else:
            data[target] = value
    try:
        loaded = AppealInSchema().load(data)
    except ValidationError as error:
        for target, messages in flat_errors(error.messages).items():
            errors.setdefault(paths.get(target, target), messages)
        loaded = None
    if "external_id" not in data:
        errors.setdefault(paths["external_id"], ["此项为必填项"])
    if errors:
        raise ValidationError(errors)
    return loaded
