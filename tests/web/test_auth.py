"""Sign-in, lock-out, sign-out, CSRF and the landing page."""
from datetime import timedelta

from accounts.passwords import MAX_FAILURES, SignInError, authenticate, set_password
from app.extensions import db
from models.base import utcnow
from tests.web.conftest import PASSWORD


def test_landing_sends_strangers_to_sign_in(browser):
    response = browser.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_sign_in_goes_to_the_role_home_with_a_safe_cookie(world, browser, staff):
    staff("handler", "市工信局")
    assert browser.get("/").headers["Location"].endswith("/unit")
    page = browser.get("/unit")
    assert page.status_code == 200 and "市工信局" in page.get_data(as_text=True)


def test_session_cookie_is_httponly_and_lax(world, browser):
    user, _ = world.user("operator")
    set_password(user, PASSWORD)
    db.session.commit()
    cookie = browser.sign_in(user).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_wrong_password_is_refused_in_chinese(world, browser):
    user, _ = world.user("operator")
    set_password(user, PASSWORD)
    db.session.commit()
    response = browser.sign_in(user, "wrong-password1")
    assert response.status_code == 400
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert browser.get("/operator").status_code == 302


def test_lock_out_after_repeated_failures_even_for_the_right_password(world):
    user, _ = world.user("operator")
    set_password(user, PASSWORD)
    db.session.commit()
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
    later = utcnow() + timedelta(minutes=16)
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


def test_form_without_csrf_token_is_refused(world, browser):
    user, _ = world.user("operator")
    set_password(user, PASSWORD)
    db.session.commit()
    response = browser.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)


def test_api_stays_exempt_from_csrf(world, client):
    _, headers = world.user("operator")
    from tests.factories import appeal_body

    assert client.post("/api/v1/appeals", json=appeal_body(), headers=headers).status_code == 201


def test_sign_out_ends_the_session(browser, staff):
    staff("operator")
    response = browser.post_form("/operator", "/logout", {})
    assert response.status_code == 302
    assert browser.get("/operator").status_code == 302


def test_new_password_signs_out_other_sessions(world, browser, staff):
    user = staff("operator")
    set_password(user, "another-pass1")
    db.session.commit()
    assert browser.get("/operator").status_code == 302


def test_partner_accounts_cannot_use_the_pages(world, browser):
    user, _ = world.user("partner")
    set_password(user, PASSWORD)
    db.session.commit()
    assert browser.sign_in(user).status_code == 403


def test_sign_in_never_redirects_off_site(world, browser):
    user, _ = world.user("operator")
    set_password(user, PASSWORD)
    db.session.commit()
    response = browser.post_form("/login", "/login", {"username": user.username, "password": PASSWORD,
                                                      "next": "//evil.example/"})
    assert response.headers["Location"] == "/operator"
