"""Passwords: argon2id hashes, strength, lock-out after repeated failures, the CLI and demo users."""
from datetime import timedelta

import pytest

from accounts.passwords import LOCK_MINUTES, MAX_FAILURES, SignInError, authenticate, set_password
from app.extensions import db
from models import User
from models.base import utcnow

PASSWORD = "demo12345"


def _user(world, role="operator"):
    user, _ = world.user(role)
    set_password(user, PASSWORD)
    db.session.commit()
    return user


def test_lock_out_after_repeated_failures_even_for_the_right_password(world):
    user = _user(world)
    for _ in range(MAX_FAILURES):
        try:
            authenticate(user.username, "nope-nope-1")
        except SignInError as error:
            message = error.message
    assert "锁定" in message
    try:
        authenticate(user.username, PASSWORD)
        raise AssertionError("a locked account signed in")
    except SignInError as error:
        assert "锁定" in error.message
    later = utcnow() + timedelta(minutes=LOCK_MINUTES, seconds=1)
    assert authenticate(user.username, PASSWORD, now=later).id == user.id


def test_passwords_are_stored_as_argon2_hashes(world):
    user, _ = world.user("operator")
    set_password(user, PASSWORD)
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_weak_passwords_are_refused(world):
    user, _ = world.user("operator")
    for weak in ("short1", "12345678", "abcdefgh"):
        try:
            set_password(user, weak)
            raise AssertionError(f"{weak} accepted")
        except ValueError as error:
            assert "密码" in str(error)


def test_wrong_passwords_count_down_and_the_right_one_resets(world):
    user = _user(world)
    with pytest.raises(SignInError, match="再错4次"):
        authenticate(user.username, "wrong-one-1")
    assert authenticate(user.username, PASSWORD).failed_logins == 0
    with pytest.raises(SignInError, match="再错4次"):
        authenticate(user.username, "wrong-one-1")


def test_unknown_and_inactive_users_are_refused(world):
    with pytest.raises(SignInError, match="用户名或密码不正确"):
        authenticate("nobody", PASSWORD)
    user = _user(world)
    user.active = False
    db.session.commit()
    with pytest.raises(SignInError, match="停用"):
        authenticate(user.username, PASSWORD)


def test_users_create_sets_a_password(app, world):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["users", "create", "--role", "operator", "--city", "金昌", "--password", "abc", "zhao"])
    assert weak.exit_code != 0 and "密码至少8位" in weak.output
    made = runner.invoke(args=["users", "create", "--role", "operator", "--city", "金昌", "--password",
                               "Secret12345", "zhao"])
    assert made.exit_code == 0, made.output
    user = db.session.query(User).filter_by(username="zhao").one()
    assert authenticate("zhao", "Secret12345").id == user.id


def test_demo_users_sign_in_with_the_printed_password(app, database):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "demo12345" in result.output
    assert authenticate("handler-gxj", "demo12345").role == "handler"
