"""Settings from the environment (12-factor), with defaults that run on a fresh machine."""
import os
from pathlib import Path

INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", Path(__file__).resolve().parent.parent / "instance"))


def _secret(name: str, generate) -> str:
    """An environment value, or one generated once and kept under instance/ for development."""
    value = os.environ.get(name)
    if value:
        return value
    path = INSTANCE_DIR / f"{name.lower()}.txt"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(generate())
        path.chmod(0o600)
    return path.read_text().strip()


def from_environment() -> dict:
    from cryptography.fernet import Fernet
    import secrets

    return {
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'appeals.db'}"
        ),
        # Reconnect transparently after a database restart instead of failing the next request.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        # Flask-Limiter notation ("120/minute", "10/second;300/hour"); raise them for benchmarks.
        "RATELIMIT_ENABLED": os.environ.get("RATELIMIT_ENABLED", "1") != "0",
        "INTAKE_RATE_LIMIT": os.environ.get("INTAKE_RATE_LIMIT", "120/minute"),
        "PUBLIC_RATE_LIMIT": os.environ.get("PUBLIC_RATE_LIMIT", "60/minute"),
        # Sign-in tries per client address (each costs an argon2 hash); per user name see app.limits.
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "20/minute"),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0: none).
        "PROXY_HOPS": int(os.environ.get("PROXY_HOPS", "0")),
        "SECRET_KEY": _secret("SECRET_KEY", lambda: secrets.token_hex(32)),
        # Comma-separated Fernet keys, newest first: the first encrypts, all decrypt.
        "DATA_KEYS": _secret("DATA_KEYS", lambda: Fernet.generate_key().decode()).split(","),
        "INDEX_KEY": _secret("INDEX_KEY", lambda: secrets.token_hex(32)),
        "RQ_QUEUE": os.environ.get("RQ_QUEUE", "appeals"),
        # Seconds an outbox row may wait before the sweep pushes it to the queue again.
        "OUTBOX_RETRY_AFTER": int(os.environ.get("OUTBOX_RETRY_AFTER", "30")),
        # Workers and the scheduler: RQ logs every job at INFO and periodic jobs run every few
        # seconds, so the default is quieter.
        "WORKER_LOG_LEVEL": os.environ.get("WORKER_LOG_LEVEL", "WARNING"),
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "API_TITLE": "企业诉求接诉即办 API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "JSON_AS_ASCII": False,
    }
