"""Base schema for every API: Chinese messages, unknown fields refused."""
from marshmallow import RAISE, Schema

FIELD_MESSAGES = {
    "required": "此项为必填项",
    "null": "此项不能为空",
    "invalid": "格式不正确",
    "validator_failed": "取值不正确",
    "type": "格式不正确",
}


def _library_defaults(field) -> dict:
    messages = {}
    for cls in reversed(type(field).__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages


class BaseSchema(Schema):
    """Fields keep messages they were given; marshmallow's English defaults become Chinese."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "不支持的字段", "type": "请求体应为 JSON 对象"}

    def on_bind_field(self, field_name, field_obj):
        defaults = _library_defaults(field_obj)
        for key, message in FIELD_MESSAGES.items():
            if key in field_obj.error_messages and field_obj.error_messages[key] == defaults.get(key):
                field_obj.error_messages[key] = message
