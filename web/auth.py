"""Landing page, sign-in and sign-out."""
import re
from urllib.parse import urlsplit

from flask import redirect, render_template, request, url_for

from accounts.passwords import SignInError, authenticate
from web.pages import page_blueprint
from web.session import current_user, home_endpoint, sign_in, sign_out

blp = page_blueprint("web_auth", __name__, static_folder="static",
                static_url_path="/assets")
CONTROL = re.compile(r"[\x00-\x20\x7f]")


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site, so sign-in cannot redirect elsewhere.

    Browsers drop tabs and line breaks inside URLs and read a backslash as a slash, so a slash,
    a tab and "/evil.example" would lead to another host: control characters and spaces are
    removed first (a line break would also break the Location header), then anything with a
    backslash, a scheme or a host is refused."""
    path = CONTROL.sub("", target or "")
    parts = urlsplit(path)
    if not path.startswith("/") or path.startswith("//") or "\\" in path or parts.scheme or parts.netloc:
        return None
    return path


@blp.get("/")
def index():
    user = current_user()
    if user is None:
        return redirect(url_for("web_auth.login"))
    endpoint = home_endpoint(user)
    if endpoint is None:
        sign_out()
        return render_template("login.html", error="该账号只能通过接口使用，不能登录页面"), 403
    return redirect(url_for(endpoint))


def _refused(username: str, error: str, next_page: str | None, status: int):
    return render_template("login.html", username=username, error=error, next=next_page or ""), status


@blp.route("/login", methods=["GET", "POST"])
def login():
    """Sign-in; accounts.limits limits the tries per address and the failures per user name."""
    if request.method == "GET":
        return render_template("login.html", username="", next=_safe_next(request.args.get("next")) or "")
    username, password = request.form.get("username", ""), request.form.get("password", "")
    next_page = _safe_next(request.form.get("next"))
    if not username.strip() or not password:
        return _refused(username, "请填写用户名和密码", next_page, 400)
    try:
        user = authenticate(username, password)
    except SignInError as error:
        return _refused(username, error.message, next_page, 429 if error.locked else 400)
    if home_endpoint(user) is None:
        return _refused(username, "该账号只能通过接口使用，不能登录页面", next_page, 403)
    sign_in(user)
    return redirect(next_page or url_for(home_endpoint(user)))


@blp.post("/logout")
def logout():
    sign_out()
    return redirect(url_for("web_auth.login", out=1))
