"""Under a steady stream of intake: Redis stops, a worker dies mid-job, PostgreSQL restarts.

Afterwards every accepted appeal exists exactly once and was dispatched exactly once; while
PostgreSQL is down intake answers 503 with a Chinese message and Retry-After, never 500 or 201.
"""
import signal
import time

import psycopg
import pytest

from bench.stack import kill_group
from tests.chaos.conftest import accepted, assert_exactly_once, assert_no_complainant_in_logs, server_errors

pytestmark = [pytest.mark.chaos, pytest.mark.pg_only, pytest.mark.timeout(450)]  # training the model included
RATE = 20  # appeals per second


def test_redis_down_for_ten_seconds(stack):
    stack.apps.worker("worker-1")
    stack.apps.worker("worker-2")
    stack.apps.scheduler()
    load = stack.load(RATE, "redis").start(seconds=20)
    time.sleep(3)
    stack.redis.stop()
    time.sleep(10)
    stack.redis.start()
    results = load.wait()
    # Redis carries only the queue and the rate-limit counters: intake never depends on it.
    assert {r.status for r in results} == {201}, {r.status for r in results}
    assert len(results) >= 15 * RATE
    assert_exactly_once(stack, accepted(results))
    assert_no_complainant_in_logs(stack)


def test_worker_killed_mid_job(stack):
    """A held row lock pins the first dispatch job inside the worker; then the worker is SIGKILLed."""
    load = stack.load(RATE, "kill").start(seconds=15)
    time.sleep(1)
    with psycopg.connect(f"host=127.0.0.1 port={stack.pg.port} user=postgres dbname=appeals") as lock:
        lock.execute("SELECT id FROM appeals ORDER BY id LIMIT 1 FOR UPDATE")
        doomed = stack.apps.worker("worker-doomed")
        stack.apps.scheduler()
        deadline = time.monotonic() + 20
        while not stack.sql("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'"):
            assert time.monotonic() < deadline, "the dispatch job never reached the locked appeal"
            time.sleep(0.1)
        kill_group(doomed, signal.SIGKILL)
    stack.apps.worker("worker-survivor")
    results = load.wait()
    assert {r.status for r in results} == {201}
    assert_exactly_once(stack, accepted(results))


def test_postgres_restart(stack):
    stack.apps.worker("worker-1")
    stack.apps.worker("worker-2")
    stack.apps.scheduler()
    load = stack.load(RATE, "pg").start(seconds=16)
    time.sleep(3)
    stack.pg.stop("immediate")
    time.sleep(5)
    stack.pg.start()
    results = load.wait()
    statuses = {r.status for r in results}
    assert statuses <= {201, 503}, (statuses, server_errors(stack))
    refused = [r for r in results if r.status == 503]
    assert refused, "the outage was never seen by intake"
    assert all(r.retry_after and "数据库暂时不可用" in r.message for r in refused)
    assert len([r for r in results if r.status == 201]) > RATE * 8
    # The client retries what was refused: each is then stored, once (200 if it had been committed).
    retried = stack.load(None, "pg").resend([r.external_id for r in refused])
    assert {r.status for r in retried} <= {200, 201}
    assert_exactly_once(stack, accepted(results) | accepted(retried))
    assert_no_complainant_in_logs(stack)
