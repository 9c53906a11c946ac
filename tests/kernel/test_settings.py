"""Production refuses to start without strong keys; only development makes its own (issue 21 item 11)."""
import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from kernel import settings
from tests.conftest import ROOT

STRONG = {
    "SECRET_KEY": "9f1c2e7a4b8d0f36a5c1e9b72d4f8a0c6e3b5d7f9a1c2e4b",
    "DATA_KEYS": Fernet.generate_key().decode(),
    "INDEX_KEY": "c4e8a1f3b7d92e5a0c6f8b1d3e7a9c2f4b6d8e0a",
    "AUDIT_KEY": "7b3e9d1f5a2c8e4b0d6f9a3c7e1b5d8f2a4c6e0b",
}


@pytest.fixture
def production(monkeypatch, tmp_path):
    monkeypatch.setattr(settings, "INSTANCE_DIR", tmp_path / "instance")
    monkeypatch.delenv("APP_ENV")
    for name, value in STRONG.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_production_starts_with_strong_keys(production):
    config = settings.from_environment()
    assert config["APP_ENV"] == "production" and config["AUDIT_KEY"] == STRONG["AUDIT_KEY"]


@pytest.mark.parametrize("name", sorted(STRONG))
def test_production_refuses_a_missing_key_and_generates_none(production, name):
    production.delenv(name)
    with pytest.raises(settings.ConfigError, match=f"未设置 {name}"):
        settings.from_environment()
    assert not settings.INSTANCE_DIR.exists()


@pytest.mark.parametrize("name, value, message", [
    ("SECRET_KEY", "test-secret", "SECRET_KEY 太弱"),
    ("INDEX_KEY", "0" * 64, "INDEX_KEY 太弱"),
    ("AUDIT_KEY", "changeme" * 4, "AUDIT_KEY 太弱"),
    ("DATA_KEYS", "not-a-key", "DATA_KEYS 第 1 个密钥不是有效的 Fernet 密钥"),
    ("DATA_KEYS", f"{STRONG['DATA_KEYS']},{'A' * 43}=", "DATA_KEYS 第 2 个密钥太弱"),
])
def test_production_refuses_a_weak_key(production, name, value, message):
    production.setenv(name, value)
    with pytest.raises(settings.ConfigError, match=message):
        settings.from_environment()


def test_unknown_environment_is_refused(production):
    production.setenv("APP_ENV", "prod")
    with pytest.raises(settings.ConfigError, match="APP_ENV"):
        settings.from_environment()


def test_development_generates_missing_keys_once_under_instance(production):
    production.setenv("APP_ENV", "development")
    for name in STRONG:
        production.delenv(name)
    first, second = settings.from_environment(), settings.from_environment()
    assert first["AUDIT_KEY"] == second["AUDIT_KEY"] and len(first["AUDIT_KEY"]) == 64
    assert first["DATA_KEYS"] == second["DATA_KEYS"]
    assert (settings.INSTANCE_DIR / "audit_key.txt").stat().st_mode & 0o777 == 0o600


def test_the_wsgi_entry_point_says_what_is_missing_without_a_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("APP_ENV", "SECRET_KEY", "DATA_KEYS", "INDEX_KEY",
                                                             "AUDIT_KEY")}
    env["INSTANCE_DIR"] = str(tmp_path / "instance")
    done = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "生产环境缺少密钥或密钥太弱，拒绝启动" in done.stderr and "未设置 DATA_KEYS" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "instance").exists()
