"""Bearer-token authentication and role checks for the JSON API."""
from functools import wraps

from flask import g, request
from flask_smorest import abort

from accounts.tokens import user_for_token
from models import User

_USER = "accounts.user"  # the authenticated user, kept in the request's environ (one lookup a request)


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


def authorize(roles: tuple[str, ...]) -> None:
    """Set g.user to the request's authenticated user, or abort with 401/403."""
    user = request.environ.get(_USER)
    if user is None:
        user = request.environ[_USER] = _authenticate()
    g.user = user
    if roles and user.role not in roles:
        abort(403, message="当前角色无权进行此操作")


def require_roles(*roles: str):
    """Authenticate the request and allow only the given roles (none given: any signed-in user).

    The wrapper carries `authorize_first`: kernel.http.Blueprint runs it before the request's
    arguments are parsed, so a caller without a valid token learns nothing of the schema, and
    documents the operation's bearer security in the OpenAPI document (no `@blp.doc` needed).
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            authorize(roles)
            return view(*args, **kwargs)

        wrapped.authorize_first = lambda: authorize(roles)
        return wrapped

    return decorator
