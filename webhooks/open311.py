"""Open311 GeoReport v2 under /open311/v2/ (XML and JSON), so civic-tech tools can read and file appeals.

Services are the urgency classes (the one category a submitter chooses and intake stores);
units appear as `agency_responsible`. Reading requests needs an API key too (appeals are not
public records); every user sees the appeals their role may see. Views answer JSON through
their schemas; `georeport_format` then writes every answer of the blueprint, errors included,
in the format the path asks for (webhooks.open311_formats). See docs/open311.md.
"""
from datetime import timedelta

from flask import Response, jsonify, request
from flask_smorest import abort
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import defer, selectinload
from werkzeug.exceptions import HTTPException

from accounts.access import visible_appeals
from accounts.tokens import user_for_token
from intake import service
from intake.schemas import AppealInSchema
from kernel.db import db
from kernel.http import GENERIC_MESSAGES, Blueprint, field_messages
from kernel.schemas import flat_errors
from kernel.vocabulary import STATUS_LABELS, URGENCY_LABELS, Channel, Status
from models import Appeal, City, Role, User
from models.base import utcnow
from sla.service import appeal_clock, city_calendar
from webhooks.open311_formats import FORMATS, document
from webhooks.open311_schemas import (
    CHINA,
    GEOREPORT_ERRORS,
    XML_FIELD_ORDER,
    CreatedOutSchema,
    DiscoverySchema,
    KeyedSchema,
    RequestInSchema,
    RequestOutSchema,
    RequestsQuerySchema,
    ServiceDefinitionSchema,
    ServiceOutSchema,
    formats_doc,
)

PREFIX = "/open311/"
blp = Blueprint("open311", __name__, url_prefix="/open311/v2", description="Open311 GeoReport v2 接口")
FORMAT = f"<any({', '.join(FORMATS)}):format>"
# Root element of each view's XML document (the spec's examples).
ROOTS = {"discovery": "discovery", "services": "services", "service_definition": "service_definition",
         "list_requests": "service_requests", "get_request": "service_requests", "create_request": "service_requests"}
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-07T00:00:00+08:00"  # when this endpoint last changed what it serves
SUBMIT_ROLES = (Role.operator, Role.partner, Role.admin)
DEFAULT_WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000
SERVICE_DESCRIPTIONS = {
    "emergency": "涉及安全、停产等需立即处置的企业诉求",
    "urgent": "需要加快办理的企业诉求",
    "normal": "一般企业诉求",
    "consult": "政策咨询",
    "complex": "涉及多部门、需协调的疑难复杂诉求",
}
ATTRIBUTES = [
    {"variable": True, "code": "enterprise_name", "datatype": "string", "required": True, "order": 1,
     "datatype_description": "企业全称，2至200个字", "description": "企业名称"},
    {"variable": True, "code": "enterprise_uscc", "datatype": "string", "required": False, "order": 2,
     "datatype_description": "18位统一社会信用代码", "description": "统一社会信用代码"},
]
# Intake field -> the Open311 parameter it came from, so errors name what the client sent.
PARAMETERS = {"text": "description", "complainant.name": "last_name", "complainant.phone": "phone",
              "enterprise.name": "attribute[enterprise_name]", "enterprise.uscc": "attribute[enterprise_uscc]",
              "urgency": "service_code"}


@blp.errorhandler(HTTPException)
def open311_error(error):
    """GeoReport errors are a list of {code, description}, one per problem; `georeport_format`
    writes it in the requested format."""
    data = getattr(error, "data", None) or {}
    problems = {**(data.get("errors") or {}), **field_messages(data.get("messages") or {})}
    descriptions = [f"{PARAMETERS.get(field, field)}: {'；'.join(map(str, messages))}"
                    for field, messages in flat_errors(problems).items()]
    descriptions = descriptions or [data.get("message") or GENERIC_MESSAGES.get(error.code, "请求失败")]
    response = jsonify([{"code": error.code, "description": d} for d in descriptions])
    response.status_code = error.code
    response.headers.update(data.get("headers") or {})
    if getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def requested_format() -> str:
    """The format the path asks for; an unrouted path under /open311/ ending in .xml gets XML."""
    fmt = (request.view_args or {}).get("format")
    return fmt or ("xml" if request.path.endswith(".xml") else "json")


@blp.after_request
def georeport_format(response: Response) -> Response:
    """Every JSON answer of the blueprint in the requested format, charset declared. Errors the
    app answers for every blueprint (the rate limit's 429, a database outage's 503) come in the
    API's shape; an Open311 client gets them as GeoReport's list too, headers (Retry-After) kept."""
    if response.mimetype != "application/json" or response.direct_passthrough:
        return response
    body = response.get_json()
    if response.status_code >= 400:
        if isinstance(body, dict):
            message = body.get("message") or GENERIC_MESSAGES.get(response.status_code, "请求失败")
            body = [{"code": response.status_code, "description": message}]
        root = "errors"
    else:
        root = ROOTS[request.endpoint.rpartition(".")[2]]
    data, content_type = document(body, root, requested_format(), XML_FIELD_ORDER)
    response.set_data(data)
    response.content_type = content_type
    return response


def unrouted_error(error: HTTPException) -> Response:
    """No route under /open311/ (404) or not this method (405): GeoReport's error list too
    (registered with kernel.http.Api.handle_errors_under)."""
    return georeport_format(open311_error(error))


def api_key() -> str:
    """The key the way GeoReport clients send it: the `api_key` parameter (query or form), or HTTP
    Basic with the key as password (a client's base URL `http://api_key:KEY@host/open311/v2`, or
    ~/.netrc), or a Bearer header. URLs with the parameter are redacted in every log (kernel.logs)."""
    auth = request.authorization
    header = ""
    if auth is not None and auth.type == "basic":
        header = auth.password or auth.username or ""
    elif auth is not None and auth.type == "bearer":
        header = auth.token or ""
    return (request.values.get("api_key") or header).strip()


def _user(roles=None) -> User:
    raw = api_key()
    user = user_for_token(raw) if raw else None
    if user is None:
        abort(403, message="api_key 缺失或无效")
    if roles and user.role not in roles:
        abort(403, message="该 api_key 的角色不能提交诉求")
    return user


def _city(args, user: User | None) -> City:
    code = args.get("jurisdiction_id")
    if user is not None:
        if code and code.upper() != user.city.code:
            abort(404, message=f"jurisdiction_id「{code}」与 api_key 所属城市不符")
        return user.city
    cities = db.session.scalars(select(City).order_by(City.id)).all()
    if code:
        found = next((c for c in cities if c.code == code.upper()), None)
        if found is None:
            abort(404, message=f"未知的 jurisdiction_id「{code}」")
        return found
    if len(cities) != 1:
        abort(400, message="请提供 jurisdiction_id（城市代码）")
    return cities[0]


def _local(value):
    return value.astimezone(CHINA).isoformat(timespec="seconds") if value else None


def request_view(appeal: Appeal, calendar) -> dict:
    clock = appeal_clock(appeal, calendar=calendar)
    return {
        "service_request_id": appeal.number,
        "status": "closed" if appeal.status == Status.closed else "open",
        "status_notes": STATUS_LABELS[appeal.status],
        "service_name": URGENCY_LABELS[appeal.urgency],
        "service_code": appeal.urgency,
        "description": appeal.text,
        "agency_responsible": appeal.lead_unit.name if appeal.lead_unit else None,
        "service_notice": None,
        "requested_datetime": _local(appeal.received_at),
        "updated_datetime": _local(appeal.updated_at),
        "expected_datetime": _local(clock["due"]),
        "address": appeal.address,
        **dict.fromkeys(("address_id", "zipcode", "lat", "long", "media_url")),
    }


@blp.route(f"/discovery.{FORMAT}", methods=["GET"])
@blp.response(200, DiscoverySchema)
@blp.doc(responses={200: formats_doc(DiscoverySchema), "404": GEOREPORT_ERRORS["404"]})
def discovery(format):
    """服务发现文档：规范版本、接口地址与支持的格式"""
    return {"changeset": CHANGESET, "contact": "请联系本市接诉即办平台管理员",
            "key_service": "api_key 由本市管理员为操作员或合作平台账号签发",
            "endpoints": [{"specification": SPECIFICATION, "url": request.url_root.rstrip("/") + blp.url_prefix,
                           "changeset": CHANGESET, "type": "production", "formats": ["text/xml", "application/json"]}]}


@blp.route(f"/services.{FORMAT}", methods=["GET"])
@blp.arguments(KeyedSchema, location="query")
@blp.response(200, ServiceOutSchema(many=True))
@blp.doc(responses={200: formats_doc(ServiceOutSchema), **GEOREPORT_ERRORS})
def services(args, format):
    """服务列表：按紧急程度分类的企业诉求"""
    _city(args, _user() if api_key() else None)
    return [{"service_code": code, "service_name": label, "description": SERVICE_DESCRIPTIONS[code],
             "metadata": True, "type": "realtime", "keywords": f"企业诉求,{label}", "group": "企业诉求"}
            for code, label in URGENCY_LABELS.items()]


@blp.route(f"/services/<string:code>.{FORMAT}", methods=["GET"])
@blp.arguments(KeyedSchema, location="query")
@blp.response(200, ServiceDefinitionSchema)
@blp.doc(responses={200: formats_doc(ServiceDefinitionSchema), **GEOREPORT_ERRORS})
def service_definition(args, code, format):
    """服务定义：提交时需填写的附加字段"""
    if code not in URGENCY_LABELS:
        abort(404, message=f"没有服务「{code}」")
    return {"service_code": code, "attributes": ATTRIBUTES}


def _listed(value: str) -> list[str]:
    """A parameter the spec lets name several values, comma-separated."""
    return [item.strip() for item in value.split(",") if item.strip()]


def _readable(user: User):
    """Appeals the key may read, without the complainant columns: no Open311 document shows
    them, and one row whose ciphertext cannot be decrypted must not fail every list."""
    return visible_appeals(user).options(defer(Appeal.complainant_name, raiseload=True),
                                         defer(Appeal.complainant_phone, raiseload=True))


@blp.route(f"/requests.{FORMAT}", methods=["GET"])
@blp.arguments(RequestsQuerySchema, location="query")
@blp.response(200, RequestOutSchema(many=True))
@blp.doc(responses={200: formats_doc(RequestOutSchema), **GEOREPORT_ERRORS})
def list_requests(args, format):
    """诉求列表（按 api_key 的角色限定范围；默认最近90天，最多1000条）"""
    user = _user()
    city = _city(args, user)
    query = _readable(user).options(selectinload(Appeal.lead_unit), selectinload(Appeal.clock))
    if "service_request_id" in args:
        query = query.where(Appeal.number.in_(_listed(args["service_request_id"])))
    else:
        if "service_code" in args:
            query = query.where(Appeal.urgency.in_(_listed(args["service_code"])))
        if "status" in args:
            wanted = set(args["status"].split(","))
            if wanted == {"open"}:
                query = query.where(Appeal.status != Status.closed)
            elif wanted == {"closed"}:
                query = query.where(Appeal.status == Status.closed)
        end = args.get("end_date") or utcnow()
        start = args.get("start_date") or end - DEFAULT_WINDOW
        query = query.where(Appeal.received_at >= start, Appeal.received_at <= end)
    appeals = db.session.scalars(query.order_by(Appeal.received_at.desc()).limit(MAX_REQUESTS)).all()
    calendar = city_calendar(city.id)
    return [request_view(a, calendar) for a in appeals]


@blp.route(f"/requests/<string:number>.{FORMAT}", methods=["GET"])
@blp.arguments(KeyedSchema, location="query")
@blp.response(200, RequestOutSchema(many=True))
@blp.doc(responses={200: formats_doc(RequestOutSchema), **GEOREPORT_ERRORS})
def get_request(args, number, format):
    """单件诉求（GeoReport 规定返回只含一项的数组）"""
    user = _user()
    city = _city(args, user)
    appeal = db.session.scalar(_readable(user).where(Appeal.number == number))
    if appeal is None:
        abort(404, message=f"未找到诉求 {number}")
    return [request_view(appeal, city_calendar(city.id))]


def _given(**values) -> dict:
    """Only what the client sent, so intake's own "required" messages name what is missing."""
    return {key: value for key, value in values.items() if value}


@blp.route(f"/requests.{FORMAT}", methods=["POST"])
@blp.arguments(RequestInSchema, location="form")
@blp.response(201, CreatedOutSchema(many=True))
@blp.doc(responses={201: formats_doc(CreatedOutSchema), **GEOREPORT_ERRORS})
def create_request(args, format):
    """提交诉求（application/x-www-form-urlencoded，需 api_key）"""
    user = _user(SUBMIT_ROLES)
    city = _city(args, user)
    if args["service_code"] not in URGENCY_LABELS:
        abort(400, message="没有该服务", errors={"service_code": [f"没有服务「{args['service_code']}」"]})
    name = f"{args['last_name'].strip()}{args['first_name'].strip()}"
    submission = {
        "city": city.name, "channel": Channel.partner, "text": args["description"] or "",
        "address": (args["address_string"] or "").strip() or None, "urgency": args["service_code"],
        "enterprise": _given(name=args["enterprise_name"], uscc=args["enterprise_uscc"]),
        "complainant": _given(name=name, phone=args["phone"]),
    }
    try:
        appeal, _ = service.submit(AppealInSchema().load(submission), user)
    except ValidationError as error:
        abort(400, message="提交的数据有误", errors=error.messages)
    notice = f"已受理，受理编号 {appeal.number}"
    return [{"service_request_id": appeal.number, "service_notice": notice, "account_id": None}], 201
