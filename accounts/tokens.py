"""API tokens: 256-bit random secrets shown once and stored only as SHA-256 hashes."""
import hashlib
import secrets
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from app.extensions import db
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


def user_for_token(raw: str) -> User | None:
    row = db.session.execute(USER_FOR_TOKEN, {"token_hash": hash_token(raw)}).first()
    if row is None:
        return None
    user, expires_at, revoked_at = row
    if revoked_at is not None or (expires_at is not None and expires_at <= utcnow()):
        return None
    return user if user.active else None
