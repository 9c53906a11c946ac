"""The HTTP kit every API blueprint shares (flask-smorest): the Api extension, 400 for bad input, one error shape."""
from copy import deepcopy
from functools import wraps
from typing import NoReturn

import flask_smorest
from apispec import BasePlugin
from flask import jsonify, request
from flask_smorest.pagination import PaginationParameters
from flask_smorest.utils import unpack_tuple_response
from marshmallow import EXCLUDE
from webargs.core import missing, parse_json
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.routing import IntegerConverter

from kernel.schemas import PageArgs

GENERIC_MESSAGES = {
    400: "请求有误",
    401: "未登录或令牌无效",
    403: "无权访问",
    404: "未找到",
    405: "不支持的请求方法",
    409: "当前状态不允许此操作",
    413: "提交的内容过大",
    415: "请以 JSON 格式提交",
    422: "提交的数据有误",
    429: "请求过于频繁，请稍后再试",
    500: "服务器内部错误",
    503: "服务暂时不可用，请稍后再试",
}
INVALID = "提交的数据有误，请按提示修改"  # the message of a 400 that names the fields at fault
LOCATIONS = {"json", "query", "path", "form", "headers", "files", "cookies", "json_or_form"}


def error_payload(code: int, message: str | None = None, errors: dict | None = None) -> dict:
    """The body of every API error: {"code", "message", "errors": {field: [messages]}}."""
    payload = {"code": code, "message": message or GENERIC_MESSAGES.get(code, "请求失败")}
    if errors:
        payload["errors"] = errors
    return payload


def field_messages(messages: dict) -> dict:
    """webargs' messages by field: webargs nests them under the location ("json", "query", …);
    clients want the fields."""
    fields = {}
    for location, value in messages.items():
        fields.update(value if location in LOCATIONS and isinstance(value, dict) else {location: value})
    return fields


def abort_invalid(errors: dict) -> NoReturn:
    """400 naming the fields at fault ({field: [messages]}), like a schema's own refusal."""
    flask_smorest.abort(400, message=INVALID, errors=errors)


# Charsets a JSON body may declare; older Chinese platforms send GBK, of which GB18030 is a superset.
JSON_CHARSETS = {"utf-8": "utf-8", "utf8": "utf-8", "gb18030": "gb18030", "gbk": "gb18030", "gb2312": "gb18030"}


# Deeper than any document this API takes (a partner's payload is a few levels deep).
MAX_JSON_DEPTH = 32
TOO_DEEP = f"请求体嵌套层数过多（最多{MAX_JSON_DEPTH}层）"
LONE_SURROGATE = "请求体含有无效的 Unicode 字符（单独的代理项，如 \\ud800）"


def check_json(value) -> None:
    """Refuse (400) a parsed JSON document nested deeper than MAX_JSON_DEPTH or holding a lone
    surrogate (valid JSON, but no database or encoder takes it). Iterative: a recursive walk
    is what a deeply nested document breaks."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                flask_smorest.abort(400, message=LONE_SURROGATE)
        elif isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                flask_smorest.abort(400, message=TOO_DEEP)
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def load_json(text: str | bytes):
    """json.loads for request bodies: ValueError when not JSON, 400 when too deep or not encodable."""
    try:
        value = parse_json(text)
    except RecursionError:  # the decoder itself gives up on thousands of levels
        flask_smorest.abort(400, message=TOO_DEEP)
    check_json(value)
    return value


def json_body(req):
    """The JSON body decoded in the charset it declares (UTF-8 when it declares none)."""
    if not is_json_request(req):
        return missing
    declared = req.mimetype_params.get("charset", "utf-8").lower()
    if declared not in JSON_CHARSETS:
        flask_smorest.abort(415, message=f"不支持的字符集「{declared}」，请使用 UTF-8 或 GB18030")
    return load_json(req.get_data(cache=True).decode(JSON_CHARSETS[declared]))


class Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400

    def _raw_load_json(self, req):
        return json_body(req)

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        if isinstance(error, UnicodeDecodeError):
            flask_smorest.abort(400, message="请求体的编码与声明的字符集不符（默认 UTF-8）")
        flask_smorest.abort(400, message="请求体不是有效的 JSON")


PAGE_ARGS = PageArgs(unknown=EXCLUDE)
BEARER_SCHEME = "bearerAuth"
BEARER = [{BEARER_SCHEME: []}]  # an operation's OpenAPI security: the bearer token


def page_body(page: PaginationParameters, items: list) -> dict:
    """The answer of a paginated view (a kernel.schemas.PageOutSchema)."""
    return {"total": page.item_count, "page": page.page, "page_size": page.page_size, "items": items}


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()

    def add_url_rule(self, rule, endpoint=None, view_func=None, *args, **kwargs):
        """A view guarded by accounts.auth.require_roles authenticates before anything else runs
        (flask-smorest parses and validates the arguments in decorators outside the guard), and
        the OpenAPI document says it needs the bearer token: the guard is the one place that says so."""
        check = getattr(view_func, "authorize_first", None)
        if check is not None:
            inner = view_func

            @wraps(inner)
            def view_func(*f_args, **f_kwargs):
                check()
                return inner(*f_args, **f_kwargs)

            view_func._apidoc = deepcopy(getattr(inner, "_apidoc", {}))
            view_func._apidoc.setdefault("manual_doc", {}).setdefault("security", BEARER)

        return super().add_url_rule(rule, endpoint, view_func, *args, **kwargs)

    def arguments(self, schema, *args, **kwargs):
        """A schema class becomes one instance here; webargs would build one (copying every
        field) on each request."""
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)

    def paginate(self):
        """Pagination inside the view, the flask-smorest way: the view gets `pagination_parameters`
        (page, page_size, first_item), sets its `item_count`, and the answer carries flask-smorest's
        X-Pagination header. page and page_size are read with the one PageArgs schema (Chinese
        messages, 400 like every other bad argument) instead of a schema built per endpoint."""

        def decorator(func):
            @wraps(func)
            def wrapper(*args, **kwargs):
                page = self.ARGUMENTS_PARSER.parse(PAGE_ARGS, request, location="query")
                params = PaginationParameters(page["page"], page["page_size"])
                result, status, headers = unpack_tuple_response(func(*args, pagination_parameters=params, **kwargs))
                result, headers = self._set_pagination_metadata(params, result, headers)
                return result, status, headers

            wrapper._apidoc = deepcopy(getattr(wrapper, "_apidoc", {}))
            wrapper._apidoc["pagination"] = {"parameters": {"in": "query", "schema": PageArgs},
                                             "response": {400: "BAD_REQUEST"}}
            return wrapper

        return decorator


class ErrorResponses(BasePlugin):
    """Documents the errors every operation of a kind can answer, so the document is complete:
    401 and 403 where a token is required, 404 where the path names an object."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            if operation.get("security"):
                responses.setdefault("401", "UNAUTHORIZED")
                responses.setdefault("403", "FORBIDDEN")
            if path and "{" in path:
                responses.setdefault("404", "NOT_FOUND")


class Api(flask_smorest.Api):
    def __init__(self, *args, **kwargs):
        self._errors_under = {}
        super().__init__(*args, **kwargs)

    def _init_spec(self, *, extra_plugins=None, **kwargs):
        super()._init_spec(extra_plugins=[*(extra_plugins or ()), ErrorResponses()], **kwargs)
        self.spec.components.security_scheme(BEARER_SCHEME, {"type": "http", "scheme": "bearer"})

    def handle_errors_under(self, prefix: str, handler) -> None:
        """Errors under `prefix` that no blueprint handles (no route matched: 404, 405) answer in
        that protocol's own shape (Open311's error list) instead of the API's."""
        self._errors_under[prefix] = handler

    def handle_http_exception(self, error):
        for prefix, handler in self._errors_under.items():
            if request.path.startswith(prefix):
                return handler(error)
        data = getattr(error, "data", None) or {}
        errors = data.get("messages")
        message = data.get("message")
        if errors:
            errors = field_messages(errors)
            message = message or INVALID
        errors = errors or data.get("errors")
        response = jsonify(error_payload(error.code, message, errors))
        response.status_code = error.code
        for name, value in (data.get("headers") or {}).items():
            response.headers[name] = value
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response


class IdConverter(IntegerConverter):
    """`<int:...>` in every route. Ids are 32-bit in the database, so a larger value matches no
    route (404) instead of overflowing the database driver (500); the OpenAPI document says so."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


api = Api()


def init_app(app) -> None:
    """The API extension, with ids bounded in every route (before any route is added)."""
    app.url_map.converters["int"] = IdConverter
    api.init_app(app)
