"""HMAC-SHA256 signatures over timestamp and raw body, shared by inbound and outbound webhooks.

    signature = hex(HMAC-SHA256(secret, f"{timestamp}." + raw_body))
    X-Webhook-Timestamp: <unix seconds>
    X-Webhook-Signature: sha256=<signature>[,sha256=<signature made with the previous secret>]

Several signatures may be listed (comma-separated) so that a secret can be rotated with an
overlap window: a verifier accepts the request when any listed signature matches any of its
valid secrets.
"""
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from models.base import utcnow

PREFIX = "sha256="


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    message = f"{timestamp}.".encode("ascii") + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secrets_: list[str], timestamp: int, body: bytes) -> str:
    return ",".join(PREFIX + sign(secret, timestamp, body) for secret in secrets_)


def parse_header(header: str) -> list[str]:
    return [part.strip()[len(PREFIX):] for part in header.split(",") if part.strip().startswith(PREFIX)]


def verify(header: str, secrets_: list[str], timestamp: str, body: bytes) -> str | None:
    """The expected signature that matched one given in the header, or None."""
    given = parse_header(header)
    for secret in secrets_:
        expected = sign(secret, timestamp, body)
        if any(hmac.compare_digest(expected, candidate) for candidate in given):
            return expected
    return None


def valid_secrets(holder, now: datetime | None = None) -> list[str]:
    """The current secret, and the previous one while its overlap window lasts."""
    now = now or utcnow()
    valid = [holder.secret]
    if holder.previous_secret and holder.previous_valid_until and holder.previous_valid_until > now:
        valid.append(holder.previous_secret)
    return valid


def rotate(holder, overlap: timedelta) -> str:
    """Give the holder (partner or subscription) a new secret; the old one stays valid for `overlap`."""
    holder.previous_secret = holder.secret
    holder.previous_valid_until = utcnow() + overlap
    holder.secret = new_secret()
    return holder.secret
