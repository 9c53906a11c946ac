"""Rate limits on intake (per token) and on the public enterprise pages (per address).

Counters live in Redis (REDIS_URL), so every web process shares them. Redis being down must
never stop intake: errors are swallowed and the limiter falls back to per-process memory
counters until Redis answers again. A breach is a 429 in the API's error shape with Retry-After.
"""
import hashlib

from flask import Flask, request
from flask_limiter import ApplicationLimit, Limiter
from flask_limiter.util import get_remote_address

PUBLIC_PREFIX = "/m/"


def token_or_address() -> str:
    """The bearer token (hashed, never stored in clear) or, without one, the client address."""
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and raw.strip():
        return "token:" + hashlib.sha256(raw.strip().encode()).hexdigest()[:32]
    return "addr:" + (get_remote_address() or "unknown")


def _not_public_page() -> bool:
    return not request.path.startswith(PUBLIC_PREFIX)


def init_app(app: Flask) -> Limiter:
    """Bind the limiter to the app and limit the intake blueprint; call after registering it."""
    config = app.config
    limiter = Limiter(
        token_or_address,
        storage_uri=config["REDIS_URL"],
        # Fail fast when Redis is unreachable, then count in memory (swallow_errors below).
        storage_options={"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        key_prefix="ratelimit",
        strategy="moving-window",
        headers_enabled=True,
        swallow_errors=True,
        in_memory_fallback_enabled=True,
        enabled=config["RATELIMIT_ENABLED"],
        application_limits=[
            ApplicationLimit(lambda: config["PUBLIC_RATE_LIMIT"], key_function=get_remote_address,
                             scope="public", exempt_when=_not_public_page)
        ],
    )
    limiter.init_app(app)
    intake = app.blueprints["intake"]
    limiter.limit(lambda: config["INTAKE_RATE_LIMIT"], key_func=token_or_address)(intake)
    app.extensions["limiter"] = limiter
    return limiter
