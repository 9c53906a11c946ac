"""Base schema for every API: Chinese messages, unknown fields refused, strings stripped before
they are validated."""
from collections.abc import Mapping

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

FIELD_MESSAGES = {
    "required": "此项为必填项",
    "null": "此项不能为空",
    "invalid": "格式不正确",
    "validator_failed": "取值不正确",
    "type": "格式不正确",
}


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False


def _stripped(value):
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [item.strip() if isinstance(item, str) else item for item in value]
    return value


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

    @pre_load
    def strip_strings(self, data, **kwargs):
        """Leading and trailing whitespace goes before any length check: a name of five spaces
        is an empty name, refused, not stored as ''. Strings in lists too; nested objects
        strip their own (a nested schema is a BaseSchema), free-form dicts are left alone."""
        if not isinstance(data, Mapping):
            return data
        return {key: _stripped(value) for key, value in data.items()}

    @pre_load
    def refuse_nul(self, data, **kwargs):
        """PostgreSQL text and JSON cannot hold NUL: refuse it, naming the field, instead of a 500."""
        if isinstance(data, Mapping):
            bad = [key for key, value in data.items() if _has_nul(key) or _has_nul(value)]
            if bad:
                raise ValidationError({str(key): ["不能包含空字符（\\u0000）"] for key in bad})
        return data


def flat_errors(messages: dict, prefix: str = "") -> dict[str, list]:
    """marshmallow's nested messages as one list a field path: {"enterprise": {"name": [...]}}
    becomes {"enterprise.name": [...]} (the form field names, a partner's paths, Open311's parameters)."""
    flat = {}
    for key, value in messages.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flat_errors(value, f"{name}."))
        else:
            flat[name] = list(value) if isinstance(value, (list, tuple)) else [str(value)]
    return flat


PAGE_SIZE_MAX = 100


class PageArgs(BaseSchema):
    """page and page_size: the one pagination schema of every list, in the API
    (Blueprint.paginate) and on the pages (web.pages.list_args)."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000, error="页码应为1至100000"))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=PAGE_SIZE_MAX,
                                                                        error=f"每页1至{PAGE_SIZE_MAX}条"))


class PageOutSchema(BaseSchema):
    """One page of a list (Blueprint.paginate): how many match in all, the page asked for, and
    `items`, which each list's subclass declares."""

    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()
