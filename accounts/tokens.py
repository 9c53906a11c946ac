"""API tokens: 256-bit random secrets shown once and stored only as SHA-256 hashes.

A token may expire (expires_at) and is revoked by setting revoked_at (`flask tokens revoke`, the
admin page of the user, POST /api/v1/admin/tokens/<id>/revoke); the row stays as a record.
"""
import hashlib
import secrets
from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from kernel.db import db
from models import ApiToken, User
from models.base import utcnow


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User, label: str = "", expires_at: datetime | None = None) -> str:
    """Create a token for the user (flushed, not committed) and return it in clear, once."""
    raw = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=hash_token(raw), label=label, expires_at=expires_at))
    db.session.flush()
    return raw


# The user with their city (intake checks it on every appeal) and the token's validity, in one query.
USER_FOR_TOKEN = (select(User, ApiToken.expires_at, ApiToken.revoked_at).join(ApiToken.user)
                  .options(joinedload(User.city)).where(ApiToken.token_hash == bindparam("token_hash")))


# The users found in this request, by token hash: the intake rate limit (whose budget is the token's
# user) and the view's authentication both ask, and each used to send a query of its own.
_LOOKED_UP = "accounts.token_users"


def user_for_token(raw: str) -> User | None:
    """The active user of a valid token; None for an unknown, expired or revoked token (looked up
    once a request)."""
    token_hash = hash_token(raw)
    if not has_request_context():
        return _user_for_hash(token_hash)
    looked_up = request.environ.setdefault(_LOOKED_UP, {})
    if token_hash not in looked_up:
        looked_up[token_hash] = _user_for_hash(token_hash)
    return looked_up[token_hash]


def _user_for_hash(token_hash: str) -> User | None:
    row = db.session.execute(USER_FOR_TOKEN, {"token_hash": token_hash}).first()
    if row is None:
        return None
    user, expires_at, revoked_at = row
    if revoked_at is not None or (expires_at is not None and expires_at <= utcnow()):
        return None
    return user if user.active else None


STATES = {"active": "有效", "expired": "已过期", "revoked": "已吊销"}


def token_state(token: ApiToken, now: datetime | None = None) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= (now or utcnow()):
        return "expired"
    return "active"


def city_tokens(city_id: int | None = None, username: str | None = None) -> Select:
    """Tokens with their users, newest first; of one city and one user when given."""
    query = select(ApiToken).join(ApiToken.user).options(joinedload(ApiToken.user)).order_by(ApiToken.id.desc())
    if city_id is not None:
        query = query.where(User.city_id == city_id)
    if username:
        query = query.where(User.username == username)
    return query


def revoke(token: ApiToken) -> None:
    """Revoke the token from now on (flushed by the caller's commit); revoking twice keeps the first time."""
    token.revoked_at = token.revoked_at or utcnow()
