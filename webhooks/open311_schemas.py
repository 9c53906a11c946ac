"""Open311 GeoReport v2 parameters and documents. Clients send parameters this API does not use
(lat, long, email, device_id …), so unknown ones are ignored rather than refused."""
from datetime import datetime
from zoneinfo import ZoneInfo

from marshmallow import EXCLUDE, fields, validate

from kernel.schemas import BaseSchema

CHINA = ZoneInfo("Asia/Shanghai")


# Dates outside these years overflow on conversion to UTC or in the database driver (a 500).
DATES = validate.Range(min=datetime(1970, 1, 1, tzinfo=CHINA), max=datetime(9000, 1, 1, tzinfo=CHINA),
                       error="日期应在1970年至9000年之间")


def date_field(name: str) -> fields.AwareDateTime:
    return fields.AwareDateTime(default_timezone=CHINA, validate=DATES,
                                error_messages={"invalid": f"{name} 应为 W3C 时间"})


class Open311Schema(BaseSchema):
    class Meta:
        unknown = EXCLUDE


class KeyedSchema(Open311Schema):
    jurisdiction_id = fields.String(metadata={"description": "城市代码，如 JC（金昌）"})
    api_key = fields.String(metadata={"description": "操作员或合作平台用户的 API 令牌（也可用 Bearer 头）"})


class RequestsQuerySchema(KeyedSchema):
    service_request_id = fields.String(metadata={"description": "以逗号分隔的受理编号；给出时忽略其他条件"})
    service_code = fields.String()
    start_date = date_field("start_date")
    end_date = date_field("end_date")
    status = fields.String(validate=validate.Regexp(r"^(open|closed)(,(open|closed))*$", error="status 只能是 open 或 closed"))


class RequestInSchema(KeyedSchema):
    service_code = fields.String(required=True, error_messages={"required": "请选择服务类型（service_code）"})
    description = fields.String(load_default=None)
    first_name = fields.String(load_default="")
    last_name = fields.String(load_default="")
    phone = fields.String(load_default=None)
    address_string = fields.String(load_default=None)
    enterprise_name = fields.String(data_key="attribute[enterprise_name]", load_default=None)
    enterprise_uscc = fields.String(data_key="attribute[enterprise_uscc]", load_default=None)


class ServiceOutSchema(Open311Schema):
    service_code = fields.String()
    service_name = fields.String()
    description = fields.String()
    metadata = fields.Boolean()
    type = fields.String()
    keywords = fields.String()
    group = fields.String()


class AttributeOutSchema(Open311Schema):
    variable = fields.Boolean()
    code = fields.String()
    datatype = fields.String()
    required = fields.Boolean()
    datatype_description = fields.String()
    order = fields.Integer()
    description = fields.String()


class ServiceDefinitionSchema(Open311Schema):
    service_code = fields.String()
    attributes = fields.List(fields.Nested(AttributeOutSchema))


class RequestOutSchema(Open311Schema):
    service_request_id = fields.String(metadata={"description": "受理编号"})
    status = fields.String(metadata={"description": "open 或 closed"})
    status_notes = fields.String(allow_none=True)
    service_name = fields.String()
    service_code = fields.String()
    description = fields.String()
    agency_responsible = fields.String(allow_none=True, metadata={"description": "主办单位"})
    service_notice = fields.String(allow_none=True)
    requested_datetime = fields.String()
    updated_datetime = fields.String()
    expected_datetime = fields.String(allow_none=True, metadata={"description": "办结时限"})
    address = fields.String(allow_none=True)
    address_id = fields.String(allow_none=True)
    zipcode = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    long = fields.Float(allow_none=True)
    media_url = fields.String(allow_none=True)


class CreatedOutSchema(Open311Schema):
    service_request_id = fields.String()
    service_notice = fields.String()
    account_id = fields.String(allow_none=True)


class EndpointOutSchema(Open311Schema):
    specification = fields.String()
    url = fields.String()
    changeset = fields.String()
    type = fields.String()
    formats = fields.List(fields.String())


class DiscoverySchema(Open311Schema):
    changeset = fields.String()
    contact = fields.String()
    key_service = fields.String()
    endpoints = fields.List(fields.Nested(EndpointOutSchema))


# Field order of each XML element: the schemas declare the fields in the spec's order.
XML_FIELD_ORDER = {element: list(schema().fields) for element, schema in {
    "discovery": DiscoverySchema, "endpoint": EndpointOutSchema, "service": ServiceOutSchema,
    "service_definition": ServiceDefinitionSchema, "attribute": AttributeOutSchema, "request": RequestOutSchema,
}.items()}


def formats_doc(schema) -> dict:
    """The XML variant of an answer (the path's `.xml`); the JSON one comes from the schema."""
    return {"content": {"text/xml": {"schema": {
        "type": "string", "description": f"同 JSON（{schema.__name__}），按 GeoReport v2 规范的 XML 结构"}}}}


_GEOREPORT_ERROR = {
    "description": "GeoReport 错误：每个问题一项 {code, description}（XML：<errors><error>…）",
    "content": {
        "application/json": {"schema": {"type": "array", "items": {
            "type": "object", "properties": {"code": {"type": "integer"}, "description": {"type": "string"}}}}},
        "text/xml": {"schema": {"type": "string"}},
    },
}
# Every Open311 answer other than success is this list (open311.open311_error), not the API's error object.
GEOREPORT_ERRORS = dict.fromkeys(("400", "403", "404", "default"), _GEOREPORT_ERROR)
