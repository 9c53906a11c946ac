"""Bearer-token authentication and role checks for the JSON API."""
from functools import wraps

from flask import g, request
from flask_smorest import abort

from accounts.tokens import user_for_token
from models import User


def current_user() -> User:
    return g.user


def _authenticate() -> User:
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        abort(401, message="未登录：请在 Authorization 头中提供 Bearer 令牌",
              headers={"WWW-Authenticate": "Bearer"})
    user = user_for_token(raw.strip())
    if user is None:
        abort(401, message="令牌无效、已过期或已停用", headers={"WWW-Authenticate": "Bearer"})
    return user


def require_roles(*roles: str):
    """Authenticate the request and allow only the given roles (none given: any signed-in user)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            g.user = _authenticate()
            if roles and g.user.role not in roles:
                abort(403, message="当前角色无权进行此操作")
            return view(*args, **kwargs)

        return wrapped

    return decorator
