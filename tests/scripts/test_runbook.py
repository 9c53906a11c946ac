"""docs/operations.md as written: backup, restore drill and key rotation, run as the scripts and
commands the runbook gives, in subprocesses started outside the checkout, on PostgreSQL."""
import os
import secrets
import socket
import stat
import subprocess
from contextlib import closing

import pytest
from cryptography.fernet import Fernet
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import privacy.keys
from accounts.passwords import set_password
from audit.checkpoints import checkpoint
from tests.conftest import ROOT, TEST_ENV
from tests.web.conftest import Browser
from tests.webhooks.receivers import Receiver, dispatched, make_partner, subscribe, wait_until

pytestmark = pytest.mark.pg_only
PRODUCTION_QUEUE = TEST_ENV["RQ_QUEUE"]


def run(command: list, env: dict, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([str(part) for part in command], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=180)


def manage(*args, env: dict, cwd) -> subprocess.CompletedProcess:
    return run([ROOT / "scripts" / "manage", *args], env, cwd)


@pytest.fixture
def production(app, tmp_path):
    """The environment of a production process: the test database, the test app's keys (which the
    data was written with), production mode, no key files anywhere, and another `flask` first on
    the PATH (the scripts must not use it)."""
    other = tmp_path / "other-bin"
    other.mkdir()
    (other / "flask").write_text("#!/bin/sh\necho 'not the deployment flask' >&2\nexit 99\n")
    (other / "flask").chmod(0o755)
    return {**os.environ, "APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
            "AUDIT_KEY": app.config["AUDIT_KEY"], "INSTANCE_DIR": str(tmp_path / "instance"),
            "PATH": f"{other}:{os.environ['PATH']}"}


@pytest.fixture
def scratch():
    """scratch(suffix) -> the URL of a database that does not exist yet; all dropped afterwards."""
    url = make_url(TEST_ENV["DATABASE_URL"])
    names = []
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def drop():
        with server.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def make(suffix: str) -> str:
        names.append(f"{url.database}_{suffix}")
        drop()
        return url.set(database=names[-1]).render_as_string(hide_password=False)

    yield make
    drop()
    server.dispose()


def _answers(url: str) -> bool:
    try:
        return Redis.from_url(url).ping()
    except RedisError:
        return False


@pytest.fixture
def drill_redis():
    """A Redis server of the drill's own, on a free port: the copy shares nothing with production's Redis."""
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    wait_until(lambda: _answers(url), timeout=10)
    yield url
    server.terminate()
    server.wait(10)


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.stop()


def test_backup_leaves_no_file_on_failure_and_refuses_sqlite(production, tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    missing = make_url(TEST_ENV["DATABASE_URL"]).set(database="appeals_no_such_database")
    failed = run(["bash", "-c", f'umask 000; exec "{ROOT}/scripts/backup.sh" "{backups}"'],
                 {**production, "DATABASE_URL": missing.render_as_string(hide_password=False)}, tmp_path)
    assert failed.returncode == 1
    assert "备份失败：pg_dump 出错，没有留下备份文件" in failed.stderr
    sqlite = run([ROOT / "scripts" / "backup.sh", backups], {**production, "DATABASE_URL": "sqlite:///x.db"}, tmp_path)
    assert sqlite.returncode == 1 and "只支持 PostgreSQL" in sqlite.stderr
    assert list(backups.iterdir()) == []


def test_backup_and_restore_drill(app, live_world, live_db, redis_conn, production, scratch, drill_redis, receiver,
                                  tmp_path):
    """Backup, then the drill into a scratch database on its own queue with deliveries off: keys
    and event log check out, the copy's jobs run, nothing reaches the partner, production's queue
    keeps its jobs; with a wrong DATA_KEYS the drill stops at the key check."""
    subscribe(live_world, receiver.url, "appeal.dispatched", unit="市工信局")
    make_partner(live_world)
    numbers = [dispatched(live_world).number for _ in range(3)]
    checkpoint()
    production_jobs = Queue(PRODUCTION_QUEUE, connection=redis_conn).job_ids
    assert production_jobs  # the dispatch and delivery jobs of the three appeals, waiting for production's workers
    live_db.session.remove()

    backups = tmp_path / "backups"
    backups.mkdir()
    backup = run(["bash", "-c", f'umask 000; exec "{ROOT}/scripts/backup.sh" "{backups}"'], production, tmp_path)
    assert backup.returncode == 0, backup.stderr
    dump = backups / backup.stdout.strip().rsplit("/", 1)[1]
    assert list(backups.iterdir()) == [dump]
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    assert dump.name.startswith(f"{make_url(TEST_ENV['DATABASE_URL']).database}-")

    drill_env = {**production, "DRILL_DATABASE_URL": scratch("drill"), "DRILL_REDIS_URL": drill_redis}
    drill = run([ROOT / "scripts" / "drill.sh", dump], drill_env, tmp_path)
    assert drill.returncode == 0, drill.stdout + drill.stderr
    assert "已解密 8 个加密值、核验 3 个检索哈希，密钥正确" in drill.stdout
    assert "已核验 3 件诉求" in drill.stdout and "未发现问题" in drill.stdout
    assert "演练通过：密钥正确，办理记录完整；3 个出站推送留在待发送状态" in drill.stdout
    copy = create_engine(drill_env["DRILL_DATABASE_URL"])
    with copy.connect() as connection:
        assert sorted(connection.scalars(text("SELECT number FROM appeals"))) == sorted(numbers)
        assert connection.execute(text("SELECT state, attempts FROM webhook_deliveries")).all() == [("pending", 0)] * 3
        assert connection.scalar(text("SELECT count(*) FROM outbox WHERE done_at IS NULL")) == 0
    copy.dispose()
    assert receiver.requests == []
    assert Queue(PRODUCTION_QUEUE, connection=redis_conn).job_ids == production_jobs
    assert Redis.from_url(drill_redis).smembers("rq:queues") == {b"rq:queue:appeals-drill",
                                                                 b"rq:queue:appeals-drill-webhooks"}

    wrong = run([ROOT / "scripts" / "drill.sh", dump],
                {**drill_env, "DRILL_DATABASE_URL": scratch("wrongkeys"), "DATA_KEYS": Fernet.generate_key().decode()},
                tmp_path)
    assert wrong.returncode == 1
    assert "无法用 DATA_KEYS 解密" in wrong.stderr and "请勿启动服务" in wrong.stderr
    assert "演练失败：密钥核验未通过" in wrong.stderr
    assert "3/4" not in wrong.stdout and "Traceback" not in wrong.stderr

    production_redis = run([ROOT / "scripts" / "drill.sh", dump],
                           {**drill_env, "DRILL_REDIS_URL": TEST_ENV["REDIS_URL"].replace("127.0.0.1", "localhost"),
                            "DRILL_DATABASE_URL": scratch("sameredis")}, tmp_path)
    assert production_redis.returncode == 1
    assert f"已有其他队列（rq:queue:{PRODUCTION_QUEUE}）" in production_redis.stderr


def test_key_rotation_as_documented(app, live_world, live_db, production, tmp_path):
    """DATA_KEYS rotation (complainants, partner and subscription secrets) and INDEX_KEY rotation with
    the documented commands; afterwards the data decrypts and is found by phone under the new keys."""
    subscribe(live_world, "http://127.0.0.1:9/hook", "appeal.dispatched", unit="市工信局")
    make_partner(live_world)
    numbers = [dispatched(live_world).number for _ in range(3)]
    operator, _ = live_world.user("operator")
    set_password(operator, "demo12345")
    live_db.session.commit()
    sign_in = {"username": operator.username, "password": "demo12345"}
    stored = live_db.session.execute(text("SELECT complainant_name, complainant_phone FROM appeals")).all()
    live_db.session.remove()
    old_data, old_index = TEST_ENV["DATA_KEYS"], TEST_ENV["INDEX_KEY"]

    without = {k: v for k, v in production.items() if k != "DATA_KEYS"}
    refused = manage("privacy", "rotate-keys", env=without, cwd=tmp_path)
    assert refused.returncode == 1 and "未设置 DATA_KEYS" in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "instance").exists()
    assert live_db.session.execute(text("SELECT complainant_name, complainant_phone FROM appeals")).all() == stored
    live_db.session.remove()

    generate = run([".venv/bin/python", "-c", "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"],
                   production, ROOT)
    new_data = generate.stdout.strip()
    rotated = manage("privacy", "rotate-keys", env={**production, "DATA_KEYS": f"{new_data},{old_data}"}, cwd=tmp_path)
    assert rotated.returncode == 0, rotated.stderr
    for line in ("appeals：重新加密 6 个值", "partners：重新加密 1 个值", "webhook_subscriptions：重新加密 1 个值"):
        assert line in rotated.stdout
    again = manage("privacy", "rotate-keys", env={**production, "DATA_KEYS": f"{new_data},{old_data}"}, cwd=tmp_path)
    assert "共重新加密 0 个值；全部数据已使用最新密钥" in again.stdout

    new_index = secrets.token_hex(32)
    rehashed = manage("privacy", "rotate-index-key", env={**production, "DATA_KEYS": new_data, "NEW_INDEX_KEY": new_index},
                      cwd=tmp_path)
    assert rehashed.returncode == 0, rehashed.stderr
    assert "appeals.complainant_phone_hash：重算 3 个检索哈希" in rehashed.stdout
    checked = manage("privacy", "check-keys", env={**production, "DATA_KEYS": new_data, "INDEX_KEY": new_index},
                     cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "已解密 8 个加密值、核验 3 个检索哈希，密钥正确" in checked.stdout

    privacy.keys.configure([new_data], new_index)
    try:
        browser = Browser(app, app.test_client())
        assert browser.post_form("/login", "/login", sign_in).status_code == 302
        page = browser.post_form("/operator/search", "/operator/search", {"q": "138 1234 1234"}).get_data(as_text=True)
        assert all(number in page for number in numbers)
    finally:
        privacy.keys.configure(app.config["DATA_KEYS"], app.config["INDEX_KEY"])
    privacy.keys.configure([new_data], old_index)
    try:
        page = browser.post_form("/operator/search", "/operator/search", {"q": "138 1234 1234"}).get_data(as_text=True)
        assert not any(number in page for number in numbers)  # the old INDEX_KEY finds nothing any more
    finally:
        privacy.keys.configure(app.config["DATA_KEYS"], app.config["INDEX_KEY"])
