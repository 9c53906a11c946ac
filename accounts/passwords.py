"""Passwords for the web pages: argon2id hashes and lock-out after repeated failures.

A wrong password counts against the account; after MAX_FAILURES in a row the account is locked
for LOCK_MINUTES and even the right password is refused until then. Unknown usernames take the
same time and get the same answers as known ones (a dummy hash is verified; accounts.limits refuses
any name after MAX_FAILURES failures with the lock-out message), so the form reveals nothing.
"""
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from kernel.db import db
from models import User
from models.base import utcnow

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_LENGTH = 8
WRONG = "用户名或密码不正确"
# The same for a locked account and for a name refused by the per-name limit (accounts.limits).
LOCKED = f"登录失败次数过多，请{LOCK_MINUTES}分钟后再试；如需立即解锁请联系管理员"

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password")


class SignInError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
        self.locked = message == LOCKED


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


def _locked_user(user_id: int) -> User:
    """The user row, locked until the commit: concurrent tries count one after another."""
    return db.session.scalar(select(User).where(User.id == user_id).with_for_update().execution_options(
        populate_existing=True))


def _is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _count_failure(user_id: int, now: datetime) -> str:
    """Count a wrong password; the message to show. The try that locks the account still says
    WRONG, as an unknown name would: only the tries after it say LOCKED."""
    user = _locked_user(user_id)
    already_locked = _is_locked(user, now)
    if not already_locked:
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILURES:
            user.failed_logins = 0
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
    db.session.commit()
    return LOCKED if already_locked else WRONG


def authenticate(username: str, password: str, now: datetime | None = None) -> User:
    """The active user with this username and password, or SignInError. Commits the failure count.

    The password is hashed outside any transaction (on SQLite every transaction holds the write
    lock, and argon2 takes tens of milliseconds); the count is then updated under a row lock, so
    concurrent wrong passwords each count and a right one in their burst finds the lock. Unknown
    names, wrong passwords and locked accounts cost one hash each and answer alike, so the form
    does not tell which names exist.
    """
    now = now or utcnow()
    user = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    user_id, stored = (user.id, user.password_hash) if user else (None, None)
    db.session.commit()  # end the read before hashing
    matches = _matches(stored, password or "")
    if user_id is None:
        raise SignInError(WRONG)
    if not matches:
        raise SignInError(_count_failure(user_id, now))
    new_hash = _hasher.hash(password) if _hasher.check_needs_rehash(stored) else None
    user = _locked_user(user_id)
    if _is_locked(user, now):
        db.session.commit()
        raise SignInError(LOCKED)
    if not user.active:
        db.session.commit()
        raise SignInError("账号已停用，请联系管理员")
    user.failed_logins = 0
    user.locked_until = None
    if new_hash and user.password_hash == stored:
        user.password_hash = new_hash
    db.session.commit()
    return user
