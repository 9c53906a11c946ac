"""API schemas of the token administration."""
from marshmallow import fields, validate

from accounts.tokens import STATES
from kernel.schemas import BaseSchema


class TokenQuerySchema(BaseSchema):
    user = fields.String(validate=validate.Length(max=64), metadata={"description": "只列出该用户名的令牌"})
    state = fields.String(validate=validate.OneOf(list(STATES), error="可选：" + "、".join(STATES)),
                          metadata={"description": "active（有效）、expired（已过期）、revoked（已吊销）；不填则全部"})


class TokenOutSchema(BaseSchema):
    id = fields.Integer()
    user = fields.String(metadata={"description": "用户名"})
    role = fields.String()
    label = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    state = fields.String(metadata={"description": "active、expired 或 revoked"})
