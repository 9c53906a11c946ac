"""Real Redis servers and RQ worker processes for the queue tests."""
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


@contextmanager
def redis_server(port: int):
    """A private redis-server on `port`, stopped on exit."""
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield process
    finally:
        process.terminate()
        process.wait(5)


_started: list[subprocess.Popen] = []


def start_worker(env_overrides: dict | None = None, burst: bool = False, app_module: str = "wsgi") -> subprocess.Popen:
    """`flask jobs worker` in its own process group, so a test can kill it and its work horse
    (`app_module`: one that also registers test jobs, as tests.jobs.slow_jobs).
    Whatever the test does, `stop_workers` (run after every test) ends it."""
    args = [sys.executable, "-m", "flask", "--app", app_module, "jobs", "worker"] + (["--burst"] if burst else [])
    process = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **(env_overrides or {})},
                               start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _started.append(process)
    return process


def kill_hard(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:  # already gone with its whole group
        pass
    process.wait(5)


def stop_workers() -> None:
    """Kill every worker a test started and left running: a worker that outlives its test takes the
    next tests' jobs from the shared queue (against another database, in the SQLite pass)."""
    while _started:
        kill_hard(_started.pop())


def wait_until(predicate, timeout: float = 20, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")
