"""Rate limits on intake (one budget per sender), on the public enterprise pages (per address)
and on sign-in (per address, and failures per user name).

Counters live in Redis (REDIS_URL), so every web process shares them. Redis being down must
never stop intake: errors are swallowed and the limiter falls back to per-process memory
counters until Redis answers again. A breach is a 429 in the API's error shape with Retry-After.
"""
import hashlib
import math
import time
from functools import partial

from flask import Flask, current_app, jsonify, request, session
from flask_limiter import ApplicationLimit, Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits import parse
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from kernel.db import db
from kernel.http import error_payload, json_body

PUBLIC_PREFIX = "/m/"
KEY_PREFIX = "ratelimit"
FORM_INTAKE = ("web_operator.log_call", "web_mobile.submit_appeal")  # pages whose POST stores an appeal


def _token() -> str:
    """The request's API token (Bearer header, or Open311's api_key as a parameter or HTTP Basic). Never raises: an error in a
    key function switches the limiter to per-process counters, and a body too large or malformed
    to read has no token here (the view answers why)."""
    scheme, _, bearer = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and bearer.strip():
        return bearer.strip()
    if request.authorization and request.authorization.type == "basic":  # Open311 clients' api_key
        return request.authorization.password or ""
    try:
        return request.values.get("api_key", "")
    except HTTPException:
        return ""


def sender() -> str:
    """Who sends appeals, the same key at every intake door: the user behind an API token (Bearer
    or Open311 api_key), a signed webhook's partner account, or a signed-in page's user; without
    one, the client address. One sender thus has one budget across single, batch, webhook, Open311
    and form intake (with a budget per door, 100 in a batch plus 25 singles all passed)."""
    from accounts.tokens import user_for_token
    from models import Partner

    partner = (request.view_args or {}).get("partner")
    if partner:  # before reading any form: a webhook's view reads its raw body
        user_id = db.session.scalar(select(Partner.user_id).where(Partner.slug == partner))
    elif raw := _token():
        user = user_for_token(raw)
        user_id = user.id if user else None
    elif request.blueprint != "web_mobile":  # the enterprise pages are anonymous, whoever is signed in
        user_id = session.get("uid")
    else:
        user_id = None
    return f"user:{user_id}" if user_id is not None else "addr:" + (get_remote_address() or "unknown")


def appeals_in_request() -> int:
    """What an intake request costs: one per appeal, so a batch counts as many as it carries
    (a body that cannot be read counts one; the view then answers 400)."""
    if not request.path.endswith("/batch"):
        return 1
    try:
        appeals = json_body(request).get("appeals")
    except Exception:  # undecodable, not JSON, not an object: the view's 400/415 says why
        return 1
    return max(1, len(appeals)) if isinstance(appeals, list) else 1


SIGN_IN_SCOPE = "sign-in-name"


def login_name(username: str | None = None) -> str:
    """The key of a user name tried at sign-in (hashed: names are not kept in Redis)."""
    name = (request.form.get("username") if username is None else username) or ""
    return "login:" + hashlib.sha256(name.strip().encode()).hexdigest()[:32]


def _failures_per_name() -> str:
    from accounts.passwords import LOCK_MINUTES, MAX_FAILURES

    return f"{MAX_FAILURES} per {LOCK_MINUTES} minutes"


def limit_sign_in(app: Flask, limiter: Limiter) -> None:
    """Sign-in: every try per address (each costs an argon2 hash), and failed tries per user name,
    existing or not, as many as the lock-out allows: past them any name gets the lock-out message."""
    from accounts.passwords import LOCKED

    endpoint = "web_auth.login"
    view = app.view_functions[endpoint]
    view = limiter.limit(lambda: app.config["LOGIN_RATE_LIMIT"], key_func=get_remote_address, methods=["POST"],
                         error_message="登录尝试过于频繁，请稍后再试")(view)
    view = limiter.shared_limit(_failures_per_name(), SIGN_IN_SCOPE, key_func=login_name, methods=["POST"],
                                deduct_when=lambda response: response.status_code == 400, error_message=LOCKED,
                                exempt_when=lambda: not (request.form.get("username") or "").strip())(view)
    app.view_functions[endpoint] = view


def forget_sign_in_failures(username: str) -> None:
    """An admin unlocked the account: its name may try again at once (best effort without Redis)."""
    limiter = current_app.extensions["limiter"]
    try:
        limiter.limiter.clear(parse(_failures_per_name()), KEY_PREFIX, login_name(username), SIGN_IN_SCOPE)
    except Exception:  # noqa: BLE001  (Redis down: the window ends by itself within LOCK_MINUTES)
        current_app.logger.warning("sign-in limiter unavailable: failures of an unlocked name kept")


def _not_public_page() -> bool:
    return not request.path.startswith(PUBLIC_PREFIX)


def too_many_requests(error: RateLimitExceeded):
    """429 in the API's error shape; Retry-After only here, not on every answer."""
    response = jsonify(error_payload(429))
    response.status_code = 429
    breached = current_app.extensions["limiter"].current_limit
    wait = min(math.ceil(breached.reset_at - time.time()), breached.limit.get_expiry()) if breached else 60
    response.headers["Retry-After"] = str(max(1, wait))
    return response


def init_app(app: Flask) -> Limiter:
    """Bind the limiter to the app and limit the intake routes; call after registering the blueprints.

    Every intake door (API single and batch, signed webhooks, Open311 POST, the operator console's
    form, the enterprise pages' form) draws on one budget per sender (`sender`), counted in appeals;
    webhooks count only authenticated requests, so unsigned floods cannot lock a partner out."""
    config = app.config
    limiter = Limiter(
        get_remote_address,
        storage_uri=config["REDIS_URL"],
        # Fail fast when Redis is unreachable, then count in memory (swallow_errors below).
        storage_options={"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        key_prefix=KEY_PREFIX,
        strategy="moving-window",
        headers_enabled=False,
        swallow_errors=True,
        in_memory_fallback_enabled=True,
        enabled=config["RATELIMIT_ENABLED"],
        application_limits=[
            ApplicationLimit(lambda: config["PUBLIC_RATE_LIMIT"], key_function=get_remote_address,
                             scope="public", exempt_when=_not_public_page)
        ],
    )
    limiter.init_app(app)
    intake_limit = lambda: config["INTAKE_RATE_LIMIT"]  # noqa: E731  (read per request, as config may change)
    signed = lambda response: response.status_code not in (401, 404)  # noqa: E731
    budget = partial(limiter.shared_limit, intake_limit, scope="intake", key_func=sender, override_defaults=False)
    budget(cost=appeals_in_request)(app.blueprints["intake"])
    budget(deduct_when=signed)(app.blueprints["partner_webhooks"])
    budget(methods=["POST"])(app.blueprints["open311"])
    for endpoint in FORM_INTAKE:
        blueprint = endpoint.partition(".")[0]
        budget(methods=["POST"], exempt_when=lambda endpoint=endpoint: request.endpoint != endpoint)(
            app.blueprints[blueprint])
    limit_sign_in(app, limiter)
    app.extensions["limiter"] = limiter
    app.register_error_handler(RateLimitExceeded, too_many_requests)
    return limiter
