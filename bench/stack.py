"""Throwaway services and app processes for benchmarks and chaos tests.

Everything runs on 127.0.0.1 on free ports: a private PostgreSQL cluster (initdb into a temp
dir, as the postgres user when we are root, since PostgreSQL refuses to run as root), a private
redis-server, gunicorn serving wsgi:app, `flask jobs worker` and `flask jobs scheduler`. Each
process gets its own session (process group) so it can be signalled, and its own log file.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
APP_ENV = {
    "APP_ENV": "development",  # fixed test keys
    "SECRET_KEY": "stack-secret",
    "DATA_KEYS": "NzYvdjN3Y3pVb1hHQnRtS3ZkNjB6T0ZGY1N4Y3VxQ2w=",
    "INDEX_KEY": "stack-index-key-0123456789abcdef0123456789",
    "RQ_QUEUE": "appeals",
    "FLASK_APP": "wsgi",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def wait_http(port: int, path: str = "/api/openapi.json", timeout: float = 60) -> None:
    """Wait until the app answers, not just the socket: gunicorn binds before its workers boot."""
    import http.client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.1)
    raise TimeoutError(f"the app on 127.0.0.1:{port} did not answer within {timeout}s")


def pg_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not versions:
        raise RuntimeError("PostgreSQL binaries not found under /usr/lib/postgresql")
    return versions[-1].parent


class Workdir:
    """A temp directory for data and logs, removed by close()."""

    def __init__(self, prefix: str):
        self.path = Path(tempfile.mkdtemp(prefix=prefix))
        self.path.chmod(0o755)

    def log(self, name: str):
        return open(self.path / f"{name}.log", "ab")

    def close(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


class Postgres:
    """A private PostgreSQL cluster; stop(mode) and start() again to simulate an outage."""

    def __init__(self, workdir: Workdir):
        self.data = workdir.path / "pg"
        self.log_path = workdir.path / "postgres.log"
        self.port = free_port()
        self.bin = pg_bin()
        self.data.mkdir()
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C", "--no-sync")
        self.start()

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if os.geteuid() == 0:
            for path in (self.data, self.data.parent):
                shutil.chown(path, "postgres")
            self.log_path.touch()
            shutil.chown(self.log_path, "postgres")
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log_path), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


class RedisServer:
    """A private redis-server without persistence: a restart loses every queued job."""

    def __init__(self, workdir: Workdir):
        self.workdir = workdir
        self.port = free_port()
        self.process = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=self.workdir.log("redis"), stderr=subprocess.STDOUT)
        wait_port(self.port)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


class Apps:
    """The app's processes (gunicorn, workers, scheduler) pointed at the given services."""

    def __init__(self, workdir: Workdir, database_url: str, redis_url: str, **settings: str):
        self.workdir = workdir
        self.env = {**os.environ, **APP_ENV, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
                    "INSTANCE_DIR": str(workdir.path / "instance"), **settings}
        self.processes: list[subprocess.Popen] = []

    def flask(self, *args: str) -> str:
        result = subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=self.env, capture_output=True, text=True)
        if result.returncode:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def spawn(self, name: str, *command: str, cwd: Path = ROOT) -> subprocess.Popen:
        process = subprocess.Popen(command, cwd=cwd, env=self.env, stdout=self.workdir.log(name),
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def web(self, port: int, workers: int = 2, threads: int = 4, name: str = "web", cwd: Path = ROOT) -> subprocess.Popen:
        """gunicorn serving the app of the checkout `cwd` (another commit's, for a comparison)."""
        process = self.spawn(name, str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers",
                             str(workers), "--worker-class", "gthread", "--threads", str(threads),
                             "--graceful-timeout", "2", "--preload", "wsgi:app", cwd=cwd)
        wait_http(port)
        return process

    def worker(self, name: str = "worker", nice: int = 0) -> subprocess.Popen:
        """An RQ worker; `nice` > 0 runs it at a lower CPU priority than the web processes."""
        process = self.spawn(name, "nice", "-n", str(nice), str(BIN / "flask"), "jobs", "worker")
        if nice:
            lower_autogroup(process.pid, nice)
        return process

    def signal_workers(self, sig: int) -> None:
        """Signal every RQ worker (SIGSTOP to pause them, SIGCONT to resume)."""
        for process in self.processes:
            if "worker" in process.args:
                kill_group(process, sig)

    def scheduler(self) -> subprocess.Popen:
        return self.spawn("scheduler", str(BIN / "flask"), "jobs", "scheduler")

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.workdir.path.glob("*.log")))

    def close(self) -> None:
        for process in self.processes:
            kill_group(process, signal.SIGKILL)


def lower_autogroup(pid: int, nice: int) -> None:
    """Each process here runs in its own session, and with the kernel's autogroup scheduling a
    session's nice value only counts inside the session: the session's own nice must be set too."""
    try:
        with open(f"/proc/{pid}/autogroup", "w") as f:
            f.write(str(nice))
    except OSError:  # no autogroup scheduling on this kernel: plain nice is enough
        pass


def kill_group(process: subprocess.Popen, sig: int) -> None:
    """Signal a process and every child it forked (its session)."""
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
    if sig in (signal.SIGKILL, signal.SIGTERM):
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
