"""POST /webhooks/<partner>/appeals: appeals pushed by partner platforms, signed with HMAC-SHA256.

Checks, in order: known and active partner (404/403), timestamp within the tolerance (401),
signature by the current or still-overlapping previous secret (401), not seen before (409: the
signature of every accepted request is kept in Redis as a nonce for twice the tolerance,
covering clocks on either side),
then the payload mapping and intake validation (400, per field of the partner's payload).
A repeated partner id returns the original appeal (200): ids live in the partner account's own
namespace (intake.service.sender_of), so a repeat never answers with another sender's appeal.
"""
import time

from flask import request
from flask_smorest import abort
from marshmallow import ValidationError, fields
from redis.exceptions import RedisError
from sqlalchemy import select

from intake import service
from jobs.connection import redis_connection
from kernel.db import db
from kernel.http import Blueprint, load_json
from kernel.schemas import BaseSchema
from models import Partner
from webhooks.config import setting
from webhooks.mapping import map_payload
from webhooks.signing import valid_secrets, verify

blp = Blueprint("partner_webhooks", __name__, url_prefix="/webhooks", description="合作平台推送诉求（签名 Webhook）")
HEADERS = [
    {"in": "header", "name": "X-Webhook-Timestamp", "required": True, "schema": {"type": "integer"},
     "description": "Unix 时间戳（秒），与服务器时间相差不得超过5分钟"},
    {"in": "header", "name": "X-Webhook-Signature", "required": True, "schema": {"type": "string"},
     "description": "sha256=HMAC-SHA256(密钥, 时间戳 + '.' + 原始请求体) 的十六进制；见 docs/webhooks.md"},
]


class InboundResultSchema(BaseSchema):
    number = fields.String(metadata={"description": "受理编号"})
    status = fields.String()
    external_id = fields.String(metadata={"description": "本系统记录的渠道编号：<合作平台>:<对方编号>"})


TIMESTAMP_DIGITS = 12  # Unix seconds until the year 33658; "²" is a digit to str.isdigit, not to int()


def nonce_key(partner: Partner, signature: str) -> str:
    return f"webhooks:nonce:{partner.id}:{signature}"


def _authenticate(partner: Partner, body: bytes) -> str:
    """The matched signature, or abort with 401."""
    raw = request.headers.get("X-Webhook-Timestamp", "")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= TIMESTAMP_DIGITS):
        abort(401, message="缺少或无效的时间戳（X-Webhook-Timestamp 应为 Unix 秒数）")
    if abs(time.time() - int(raw)) > setting("WEBHOOK_TOLERANCE"):
        abort(401, message="时间戳与服务器时间相差超过5分钟，请校准时钟后重新签名")
    signature = verify(request.headers.get("X-Webhook-Signature", ""), valid_secrets(partner), raw, body)
    if signature is None:
        abort(401, message="签名无效：请用本平台的密钥对“时间戳.请求体”计算 HMAC-SHA256")
    return signature


def _claim_nonce(key: str) -> None:
    try:
        fresh = redis_connection().set(key, 1, nx=True, ex=2 * setting("WEBHOOK_TOLERANCE"))
    except RedisError:
        abort(503, message="暂时无法校验请求是否重复，请稍后重试", headers={"Retry-After": "5"})
    if not fresh:
        abort(409, message="重复的请求：该签名已使用过，请勿重放；重试请用新的时间戳重新签名")


def _release_nonce(key: str) -> None:
    try:
        redis_connection().delete(key)
    except RedisError:
        pass


@blp.route("/<string:partner>/appeals", methods=["POST"])
@blp.response(201, InboundResultSchema, description="已受理")
@blp.alt_response(200, schema=InboundResultSchema, description="该平台的同一编号已受理过，返回原诉求")
@blp.doc(parameters=HEADERS, requestBody={
    "required": True, "description": "合作平台自己的 JSON 格式，按该平台配置的字段对应关系映射",
    "content": {"application/json": {"schema": {"type": "object"}}}})
def receive(partner):
    """接收合作平台推送的诉求（HMAC 签名，防重放，按对方编号幂等）"""
    found = db.session.scalar(select(Partner).where(Partner.slug == partner))
    if found is None:
        abort(404, message=f"未知的合作平台「{partner}」")
    if not (found.active and found.user.active):
        abort(403, message="该合作平台已停用")
    body = request.get_data(cache=False)
    key = nonce_key(found, _authenticate(found, body))
    _claim_nonce(key)
    try:
        return _submit(found, body)
    except BaseException:
        # Only a stored appeal uses the nonce up: a request refused for its content, or one
        # that failed on our side, may be sent again as it is.
        _release_nonce(key)
        raise


def _submit(partner: Partner, body: bytes):
    try:
        payload = load_json(body)
    except ValueError:  # UnicodeDecodeError included
        abort(400, message="请求体不是有效的 JSON")
    try:
        data = map_payload(partner.mapping, payload, partner)
        appeal, created = service.submit(data, partner.user)
    except ValidationError as error:
        abort(400, message="推送的数据有误，请按提示修改", errors=error.messages)
    result = {"number": appeal.number, "status": appeal.status, "external_id": appeal.external_id}
    return result, 201 if created else 200
