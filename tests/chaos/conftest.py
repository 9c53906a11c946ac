"""A private stack per chaos test: its own PostgreSQL, Redis, gunicorn, workers and scheduler.

Nothing here touches the machine's shared PostgreSQL or Redis: the services are started on free
ports in a temp dir and torn down afterwards.
"""
import re
import subprocess
import time
from contextlib import suppress
from dataclasses import dataclass

import psycopg
import pytest

from bench.load import Load, Result
from bench.stack import Apps, Postgres, RedisServer, Workdir, free_port


@dataclass
class Stack:
    pg: Postgres
    redis: RedisServer
    apps: Apps
    port: int
    token: str

    def load(self, rate: float, prefix: str) -> Load:
        return Load(self.port, self.token, rate=rate, threads=6, prefix=prefix)

    def sql(self, query: str, *params):
        with psycopg.connect(f"host=127.0.0.1 port={self.pg.port} user=postgres dbname=appeals") as conn:
            return conn.execute(query, params).fetchall()

    def appeals_by_external_id(self) -> dict[str, int]:
        """external_id -> how many appeals carry it."""
        return dict(self.sql("SELECT external_id, count(*) FROM appeals GROUP BY external_id"))

    def dispatch_counts(self) -> dict[str, int]:
        """external_id -> how many dispatch events (router or manual queue) its appeal has."""
        return dict(self.sql(
            "SELECT a.external_id, count(e.id) FROM appeals a LEFT JOIN appeal_events e "
            "ON e.appeal_id = a.id AND e.action IN ('to_manual', 'route') GROUP BY a.external_id"))

    def wait_all_dispatched(self, ids: set[str], timeout: float = 60) -> dict[str, int]:
        """Dispatch counts of the load's appeals (`ids`; the demo city's own appeals are not the load's)."""
        deadline = time.monotonic() + timeout
        while True:
            counts = {i: n for i, n in self.dispatch_counts().items() if i in ids}
            if all(counts.values()) or time.monotonic() > deadline:
                return counts
            time.sleep(0.5)


@pytest.fixture
def stack():
    workdir = Workdir("chaos-")
    pg = redis = apps = None
    try:
        pg = Postgres(workdir)
        redis = RedisServer(workdir)
        apps = Apps(workdir, pg.create_database("appeals"), redis.url, OUTBOX_RETRY_AFTER="2",
                    INTAKE_RATE_LIMIT="100000/minute")
        apps.flask("db", "upgrade")
        token = next(line.split()[-1] for line in apps.flask("demo", "load").splitlines()
                     if line.startswith("partner"))
        # A city in service has its routing model: dispatch runs the real router. The table import's
        # retrain job waits on the training queue, which no worker here works (the tests are dispatch's).
        apps.flask("routing", "train", "--city", "金昌")
        port = free_port()
        apps.web(port)
        yield Stack(pg, redis, apps, port, token)
    finally:
        if apps is not None:
            apps.close()
        if redis is not None:
            redis.stop()
        if pg is not None:
            with suppress(subprocess.CalledProcessError):  # a failed test may have left it stopped
                pg.stop("immediate")
        workdir.close()


def server_errors(stack: Stack, most: int = 3) -> list[str]:
    """The last tracebacks the web processes logged, to explain an unexpected 500."""
    log = (stack.apps.workdir.path / "web.log").read_text(errors="replace")
    return ["\n".join(chunk.splitlines()[:40]) for chunk in log.split("Traceback (most recent call last):")[1:]][-most:]


def accepted(results: list[Result]) -> set[str]:
    return {r.external_id for r in results if r.status in (200, 201)}


def assert_exactly_once(stack: Stack, ids: set[str]) -> None:
    """Every accepted appeal exists once and was dispatched once."""
    assert ids, "the load generator had no appeal accepted"
    stored = stack.appeals_by_external_id()
    missing = ids - stored.keys()
    assert not missing, f"accepted but not stored: {sorted(missing)[:5]}"
    assert all(stored[i] == 1 for i in ids)
    counts = stack.wait_all_dispatched(ids)
    undispatched = [i for i, n in counts.items() if n == 0]
    doubled = [i for i, n in counts.items() if n > 1]
    assert not undispatched, f"{len(undispatched)} appeal(s) never dispatched\n{stack.apps.logs()[-4000:]}"
    assert not doubled, f"dispatched more than once: {doubled[:5]}"


def assert_no_complainant_in_logs(stack: Stack) -> None:
    """The load generator's complainant (张先生, 138xxxxxxxx) appears in no process's log."""
    logs = stack.apps.logs()
    assert "张先生" not in logs
    assert not re.search(r"138\d{8}", logs)
