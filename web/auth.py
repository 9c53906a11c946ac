"""Landing page, sign-in and sign-out."""
from flask import redirect, render_template, request, url_for

from accounts.passwords import SignInError, authenticate
from web.pages import page_blueprint
from web.session import current_user, home_endpoint, sign_in, sign_out

blp = page_blueprint("web_auth", __name__, static_folder="static",
                static_url_path="/assets")


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site (no scheme, no //host), so sign-in cannot redirect elsewhere."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return None


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


@blp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html", username="", next=request.args.get("next", ""))
    username = request.form.get("username", "")
    next_page = _safe_next(request.form.get("next"))
    try:
        user = authenticate(username, request.form.get("password", ""))
    except SignInError as error:
        return render_template("login.html", username=username, error=error.message, next=next_page or ""), 400
    if home_endpoint(user) is None:
        return render_template("login.html", username=username, error="该账号只能通过接口使用，不能登录页面"), 403
    sign_in(user)
    return redirect(next_page or url_for(home_endpoint(user)))


@blp.post("/logout")
def logout():
    sign_out()
    return redirect(url_for("web_auth.login", out=1))
