"""API tokens: 256-bit random secrets shown once and stored only as SHA-256 hashes."""
import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
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


def user_for_token(raw: str) -> User | None:
    token = db.session.scalar(select(ApiToken).options(joinedload(ApiToken.user))
                              .where(ApiToken.token_hash == hash_token(raw)))
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= utcnow():
        return None
    return token.user if token.user.active else None
