"""Passwords for the web pages: argon2id hashes and lock-out after repeated failures.

A wrong password counts against the account; after MAX_FAILURES in a row the account is locked
for LOCK_MINUTES and even the right password is refused until then. Unknown usernames take the
same time as known ones (a dummy hash is verified) so the sign-in form reveals nothing.
"""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from app.extensions import db
from models import User
from models.base import utcnow

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_LENGTH = 8
CHINA = ZoneInfo("Asia/Shanghai")
WRONG = "用户名或密码不正确"

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password")


class SignInError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_strength(password: str) -> None:
    """Raise ValueError (Chinese message) for a password too weak to set."""
    if len(password or "") < MIN_LENGTH:
        raise ValueError(f"密码至少{MIN_LENGTH}位")
    if password.isdigit() or password.isalpha():
        raise ValueError("密码须同时包含字母和数字")


def set_password(user: User, password: str) -> None:
    """Hash and store a new password and clear any lock (flushed by the caller's commit)."""
    check_strength(password)
    user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None


def _matches(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def _locked_message(until: datetime) -> str:
    return f"连续{MAX_FAILURES}次密码错误，账号已锁定至 {until.astimezone(CHINA):%H:%M}，请稍后再试或联系管理员解锁"


def authenticate(username: str, password: str, now: datetime | None = None) -> User:
    """The active user with this username and password, or SignInError. Commits the failure count."""
    now = now or utcnow()
    user = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is not None and user.locked_until is not None and user.locked_until > now:
        raise SignInError(_locked_message(user.locked_until))
    if not _matches(user.password_hash if user else None, password or ""):
        if user is None:
            raise SignInError(WRONG)
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILURES:
            user.failed_logins = 0
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            db.session.commit()
            raise SignInError(_locked_message(user.locked_until))
        left = MAX_FAILURES - user.failed_logins
        db.session.commit()
        raise SignInError(f"{WRONG}，再错{left}次账号将被锁定{LOCK_MINUTES}分钟")
    if not user.active:
        raise SignInError("账号已停用，请联系管理员")
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    db.session.commit()
    return user
