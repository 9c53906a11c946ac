"""Server-rendered pages for every role (Jinja2 and a little plain JavaScript, no build step).

Each module is one blueprint; they share the sign-in session (web.session), CSRF protection on
every form and an HTML error page. The JSON API keeps its Bearer tokens and is not touched: CSRF
applies to these blueprints only. Security headers (CSP without inline scripts) come from
app.security for every response; pages add no-store, as they show personal data.
"""
import os
from datetime import timedelta

from flask import Flask, request, send_from_directory

from web.pages import csrf


def _blueprints():
    from web import admin, appeals, auth, dispatch, followup, mobile, operator, sla_admin, supervision, unit, webhooks

    return [m.blp for m in (auth, operator, followup, dispatch, unit, appeals, supervision, mobile, admin, sla_admin,
                            webhooks)]


def _secure_cookie(app: Flask) -> bool:
    """SESSION_COOKIE_SECURE=1/0 decides; unset, the cookie is Secure (sent over HTTPS only)
    except in tests and debug runs. `make run` serves plain http on 127.0.0.1 and sets 0."""
    setting = os.environ.get("SESSION_COOKIE_SECURE", "")
    if setting:
        return setting == "1"
    return not (app.testing or app.debug)


def init_app(app: Flask) -> None:
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=_secure_cookie(app),
        SESSION_COOKIE_NAME="appeals_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
    )
    # Checked by web blueprints only (below); the token lives as long as the session.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)

    from web import filters

    filters.register(app)
    blueprints = _blueprints()
    names = {b.name for b in blueprints}
    for blueprint in blueprints:
        app.register_blueprint(blueprint)

    app.add_url_rule("/favicon.ico", "favicon", _favicon)

    @app.after_request
    def _no_store(response):
        if request.blueprint in names:
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _favicon():
    """Browsers ask every site for /favicon.ico; answer it instead of a 404 on every page."""
    return send_from_directory(os.path.join(os.path.dirname(__file__), "static"), "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=86400)
