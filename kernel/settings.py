"""Settings from the environment (12-factor).

Production is the default: every key must come from the environment, strong, or start-up fails
with a message saying which (a process that made its own keys wrote appeals no other process
could decrypt). Only with APP_ENV=development (scripts/run.sh, the tests, the benchmarks) are
missing keys generated once and kept under instance/.
"""
import base64
import binascii
import os
from pathlib import Path

INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", Path(__file__).resolve().parent.parent / "instance"))
ENVIRONMENTS = ("production", "development")
# Keys: at least this many bytes, and this many different ones (refuses "changeme" × 4, "0" × 64).
MIN_KEY_BYTES = 32
MIN_DISTINCT_BYTES = 8


class ConfigError(RuntimeError):
    """Settings a production process must not start with; the message says what to set."""


def environment() -> str:
    value = os.environ.get("APP_ENV", "production").strip() or "production"
    if value not in ENVIRONMENTS:
        raise ConfigError(f"APP_ENV={value!r} 无效：只能是 production（默认）或 development")
    return value


def _secret(name: str, generate, development: bool) -> str:
    """An environment value; in development only, one generated once and kept under instance/."""
    value = os.environ.get(name, "").strip()
    if value or not development:
        return value
    path = INSTANCE_DIR / f"{name.lower()}.txt"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(generate())
        path.chmod(0o600)
    return path.read_text().strip()


def _weak(key: bytes) -> bool:
    return len(key) < MIN_KEY_BYTES or len(set(key)) < MIN_DISTINCT_BYTES


def _fernet_problem(position: int, key: str) -> str | None:
    try:
        raw = base64.urlsafe_b64decode(key.encode())
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        return f"DATA_KEYS 第 {position} 个密钥不是有效的 Fernet 密钥（应为 32 字节的 URL 安全 base64）"
    if _weak(raw):
        return f"DATA_KEYS 第 {position} 个密钥太弱（字节重复过多）"
    return None


def secret_problem(name: str, value: str) -> str | None:
    """Why the secret `name` is unfit for production (missing or weak), in Chinese; None if it is fit."""
    if not value:
        return f"未设置 {name}"
    if _weak(value.encode()):
        return f"{name} 太弱：至少 {MIN_KEY_BYTES} 字节的随机值"
    return None


def key_problems(config: dict) -> list[str]:
    """What is missing or weak among the keys, in Chinese; empty when all are fit for production."""
    problems = [p for name in ("SECRET_KEY", "INDEX_KEY", "AUDIT_KEY") if (p := secret_problem(name, config[name]))]
    keys = [k.strip() for k in config["DATA_KEYS"] if k.strip()]
    if not keys:
        problems.append("未设置 DATA_KEYS")
    problems += [p for position, key in enumerate(keys, start=1) if (p := _fernet_problem(position, key))]
    return problems


def check_production_keys(config: dict) -> None:
    problems = key_problems(config)
    if problems:
        raise ConfigError(
            "生产环境缺少密钥或密钥太弱，拒绝启动：\n  - " + "\n  - ".join(problems) + "\n"
            "请在部署的密钥存储中设置它们（生成方法见 docs/operations.md「Keys」一节）；"
            "本机开发请设置 APP_ENV=development。"
        )


def from_environment() -> dict:
    import secrets

    from cryptography.fernet import Fernet

    app_env = environment()
    development = app_env == "development"
    rq_queue = os.environ.get("RQ_QUEUE", "appeals")
    config = {
        "APP_ENV": app_env,
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
        # Sign-in tries per client address (each costs an argon2 hash); per user name see accounts.limits.
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "20/minute"),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0: none).
        "PROXY_HOPS": int(os.environ.get("PROXY_HOPS", "0")),
        "SECRET_KEY": _secret("SECRET_KEY", lambda: secrets.token_hex(32), development),
        # Comma-separated Fernet keys, newest first: the first encrypts, all decrypt.
        "DATA_KEYS": _secret("DATA_KEYS", lambda: Fernet.generate_key().decode(), development).split(","),
        "INDEX_KEY": _secret("INDEX_KEY", lambda: secrets.token_hex(32), development),
        # HMAC key of the event log's hash chain and of its checkpoints (audit/).
        "AUDIT_KEY": _secret("AUDIT_KEY", lambda: secrets.token_hex(32), development),
        # Bearer token a Prometheus scraper sends for /metrics (unset: loopback clients only).
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN") or None,
        "RQ_QUEUE": rq_queue,
        # Retraining's own queue and worker (jobs.connection): dispatch never waits behind it.
        "RQ_TRAINING_QUEUE": os.environ.get("RQ_TRAINING_QUEUE") or f"{rq_queue}-training",
        # 0: outbound webhook deliveries stay pending and nothing is sent (a restored copy in a drill).
        "WEBHOOKS_DELIVERY_ENABLED": os.environ.get("WEBHOOKS_DELIVERY_ENABLED", "1") != "0",
        # Seconds an outbox row may wait before the sweep pushes it to the queue again.
        "OUTBOX_RETRY_AFTER": int(os.environ.get("OUTBOX_RETRY_AFTER", "30")),
        # Failed runs after which an outbox message is dead-lettered (kept, run no more until
        # `flask jobs retry`), and the first backoff in seconds (doubled after each failure).
        "OUTBOX_MAX_ATTEMPTS": int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "5")),
        "OUTBOX_BACKOFF": int(os.environ.get("OUTBOX_BACKOFF", "30")),
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
    if not development:
        check_production_keys(config)
    return config
