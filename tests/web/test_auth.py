"""Sign-in, lock-out, sign-out, CSRF and the landing page."""
import pytest

from accounts.passwords import set_password
from app.extensions import db
from tests.factories import appeal_body
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


def test_form_without_csrf_token_is_refused(world, browser):
    user, _ = world.user("operator")
    set_password(user, PASSWORD)
    db.session.commit()
    response = browser.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)


def test_api_stays_exempt_from_csrf(world, client):
    _, headers = world.user("operator")
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


@pytest.mark.parametrize("setting, secure", [("1", True), ("", False)])
def test_secure_cookie_follows_the_environment(monkeypatch, setting, secure):
    from app import create_app

    monkeypatch.setenv("SESSION_COOKIE_SECURE", setting)
    app = create_app({"TESTING": True})
    assert app.config["SESSION_COOKIE_SECURE"] is secure
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
