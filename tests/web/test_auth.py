"""Sign-in, lock-out, sign-out, CSRF and the landing page."""
import pytest

from accounts.passwords import LOCKED, MAX_FAILURES, WRONG, set_password
from kernel.db import db
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


def test_sign_out_ends_a_saved_session_cookie(browser, staff):
    """Issue 21, finding 17: the cookie is signed, not stored, so a copy kept from before the
    sign-out still opened the pages."""
    staff("operator")
    saved = browser.client.get_cookie("appeals_session").value
    assert browser.get("/operator").status_code == 200
    browser.post_form("/operator", "/logout", {})
    browser.client.set_cookie("appeals_session", saved)
    response = browser.get("/operator")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


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


def _with_password(world, role="operator"):
    user, _ = world.user(role)
    set_password(user, PASSWORD)
    db.session.commit()
    return user


@pytest.mark.parametrize("target", ["//evil.example/", "/\t/evil.example", "/\\evil.example", "/\r\n/evil.example",
                                    "http://evil.example/", "javascript:alert(1)", "/operator\r\nSet-Cookie: x=1"])
def test_sign_in_never_redirects_off_site(world, browser, target):
    """Issue 21, finding 6 (and 14's CR/LF in next, a 500): "/", a tab and "/evil.example" led
    to //evil.example, as browsers drop the tab."""
    user = _with_password(world)
    response = browser.post_form("/login", "/login", {"username": user.username, "password": PASSWORD,
                                                      "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] in ("/operator", "/operatorSet-Cookie:x=1")
    assert "Set-Cookie: x" not in str(response.headers)


def test_sign_in_keeps_a_next_page_on_this_site(world, browser):
    user = _with_password(world)
    form = browser.get("/login?next=%2F%09%2Fevil.example").get_data(as_text=True)
    assert 'name="next" value=""' in form
    response = browser.post_form("/login", "/login", {"username": user.username, "password": PASSWORD,
                                                      "next": "/operator/search?q=1"})
    assert response.headers["Location"] == "/operator/search?q=1"


def _tries(browser, username: str, count: int, address: str = "10.1.1.1") -> list[tuple[int, str]]:
    answers = []
    for _ in range(count):
        page = browser.post_form("/login", "/login", {"username": username, "password": "wrong-pass1"},
                                 environ_base={"REMOTE_ADDR": address})
        text = page.get_data(as_text=True)
        answers.append((page.status_code, LOCKED if LOCKED in text else WRONG if WRONG in text else text))
    return answers


def test_sign_in_page_answers_alike_for_unknown_user_names(world, browser):
    """Issue 21, finding 4: only real accounts got "再错4次…" and the lock-out message."""
    user = _with_password(world)
    real = _tries(browser, user.username, MAX_FAILURES + 2)
    assert real == _tries(browser, "nobody-at-all", MAX_FAILURES + 2, address="10.1.1.2")
    assert real == [(400, WRONG)] * MAX_FAILURES + [(429, LOCKED)] * 2


def test_sign_in_is_limited_per_address_and_per_user_name(app, world, browser):
    """Issue 21, finding 5: /login had no limit, and each try costs an argon2 hash."""
    user = _with_password(world)
    saved = app.config["LOGIN_RATE_LIMIT"]
    app.config["LOGIN_RATE_LIMIT"] = "3/minute"
    try:
        codes = [code for code, _ in _tries(browser, "someone-else", 4)]
        assert codes == [400, 400, 400, 429]
        right = {"username": user.username, "password": PASSWORD}
        # The same address, even with the right password; another address signs in.
        assert browser.post_form("/login", "/login", right, environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code == 429
        assert browser.post_form("/login", "/login", right, environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 302
    finally:
        app.config["LOGIN_RATE_LIMIT"] = saved
    # Failures per name count across addresses.
    answers = [_tries(browser, "target-name", 1, address=f"10.2.0.{n}")[0] for n in range(MAX_FAILURES + 1)]
    assert answers[-1] == (429, LOCKED)


@pytest.mark.parametrize("setting, testing, secure", [("", False, True), ("", True, False), ("0", False, False),
                                                      ("1", True, True)])
def test_session_cookie_is_secure_by_default_outside_tests(monkeypatch, setting, testing, secure):
    """Issue 21, finding 22: the cookie was Secure only when SESSION_COOKIE_SECURE=1 was set."""
    from app import create_app

    monkeypatch.setenv("SESSION_COOKIE_SECURE", setting)
    app = create_app({"TESTING": testing})
    assert app.config["SESSION_COOKIE_SECURE"] is secure



def test_admin_page_lists_and_revokes_a_users_tokens(world, browser, staff):
    """Issue 21, finding 17: the admin pages did not show or revoke API tokens."""
    from tests.factories import World

    staff("admin")
    user, _ = world.user("partner")
    page = browser.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "API 令牌" in page and "有效" in page
    token_id = user.tokens[0].id
    response = browser.post_form(f"/admin/users/{user.id}", f"/admin/tokens/{token_id}/revoke", {})
    assert response.status_code == 302
    assert "已吊销" in browser.get(f"/admin/users/{user.id}").get_data(as_text=True)
    other, _ = World(name="嘉峪关", code="JYG").user("partner")
    assert browser.post_form(f"/admin/users/{user.id}", f"/admin/tokens/{other.tokens[0].id}/revoke",
                             {}).status_code == 404


def test_an_admin_unlock_lets_the_user_sign_in_at_once(app, world, browser, staff):
    """The per-name failure limit must not outlast the lock an admin lifted."""
    user = _with_password(world)
    _tries(browser, user.username, MAX_FAILURES + 1)
    staff("admin")
    unlocked = browser.post_form(f"/admin/users/{user.id}", f"/admin/users/{user.id}",
                                 {"display_name": user.display_name, "active": "1", "unlock": "1"})
    assert unlocked.status_code == 302
    assert browser.sign_in(user).status_code == 302
