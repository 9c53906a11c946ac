"""Webhook settings: app config first, then the environment, then these defaults."""
import os

from flask import current_app

DEFAULTS = {
    # Inbound: how far a request's timestamp may be from our clock (also the nonce lifetime).
    "WEBHOOK_TOLERANCE": 300,
    # Outbound: attempts per delivery, then dead letter; back-off is full jitter on
    # min(cap, base * 2 ** (attempt - 1)) seconds.
    "WEBHOOK_MAX_ATTEMPTS": 8,
    "WEBHOOK_RETRY_BASE": 30.0,
    "WEBHOOK_RETRY_CAP": 3600.0,
    "WEBHOOK_CONNECT_TIMEOUT": 2.0,
    "WEBHOOK_READ_TIMEOUT": 5.0,
    # The sweep re-enqueues a due delivery this many seconds after RQ should have run it.
    "WEBHOOK_SWEEP_GRACE": 60.0,
    # Hours a rotated-out secret stays valid unless the admin says otherwise.
    "WEBHOOK_SECRET_OVERLAP_HOURS": 24,
    # Outbound: deliver to loopback, private and link-local addresses too (webhooks/targets.py).
    # Off: a subscription could otherwise reach this system's own network (SSRF).
    "WEBHOOK_ALLOW_PRIVATE_TARGETS": False,
}


def setting(name: str):
    default = DEFAULTS[name]
    value = current_app.config[name] if name in current_app.config else os.environ.get(name, default)
    if isinstance(default, bool) and isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return type(default)(value)


def webhook_queue_name() -> str:
    return current_app.config["RQ_QUEUE"] + "-webhooks"
