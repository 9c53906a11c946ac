"""Admin API for API tokens: list the city's tokens and revoke one (never shown again in clear).

Admins see and revoke only tokens of their own city's users; a token of another city is 404.
"""
from flask import g
from flask_smorest import abort

from accounts.auth import require_roles
from accounts.schemas import TokenOutSchema, TokenQuerySchema
from accounts.tokens import city_tokens, revoke, token_state
from kernel.db import db
from kernel.http import Blueprint
from models import ApiToken, Role

blp = Blueprint("token_admin", __name__, url_prefix="/api/v1/admin", description="API 令牌管理")


def token_view(token: ApiToken) -> dict:
    return {"id": token.id, "user": token.user.username, "role": token.user.role, "label": token.label,
            "created_at": token.created_at, "expires_at": token.expires_at, "revoked_at": token.revoked_at,
            "state": token_state(token)}


@blp.route("/tokens", methods=["GET"])
@blp.arguments(TokenQuerySchema, location="query")
@blp.response(200, TokenOutSchema(many=True))
@require_roles(Role.admin)
def list_tokens(args):
    """本市用户的 API 令牌（不含令牌本身），新的在前"""
    tokens = db.session.scalars(city_tokens(g.user.city_id, args.get("user"))).all()
    views = [token_view(token) for token in tokens]
    return [view for view in views if view["state"] == args["state"]] if args.get("state") else views


@blp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@blp.response(200, TokenOutSchema)
@require_roles(Role.admin)
def revoke_token(token_id):
    """吊销令牌：立即失效，不可恢复"""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user.city_id != g.user.city_id:
        abort(404, message="未找到该令牌")
    revoke(token)
    db.session.commit()
    return token_view(token)
