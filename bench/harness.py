"""What both benchmarks share: the stack on the bench database, the psycopg baseline, figures."""
import os
import threading
import time
from dataclasses import dataclass

import psycopg

from bench.load import Result, percentile
from bench.stack import Apps, RedisServer, Workdir

# BENCH_DB names the database, so that benchmarks run side by side (one per checkout) do not drop
# each other's schema.
BENCH_DB = os.environ.get("BENCH_DB", "appeals_bench")
BENCH_DSN = f"host=127.0.0.1 port=5432 user=postgres dbname={BENCH_DB}"
BENCH_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{BENCH_DB}"
DISPATCH_ACTIONS = ("to_manual", "route")


@dataclass
class Bench:
    workdir: Workdir
    redis: RedisServer
    apps: Apps
    token: str

    def close(self) -> None:
        self.apps.close()
        self.redis.stop()
        self.workdir.close()


# Workers run at a lower CPU priority than the web processes, as docs/operations.md advises when
# they share cores: in a burst, intake answers first and dispatch catches up from the queue.
WORKER_NICE = 10


def start(web: list[tuple[int, int, int]], dispatch_workers: int) -> Bench:
    """A fresh bench database, a private Redis, gunicorn per (port, workers, threads), RQ workers."""
    with psycopg.connect(BENCH_DSN.replace(f"dbname={BENCH_DB}", "dbname=postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (BENCH_DB,)).fetchone():
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    with psycopg.connect(BENCH_DSN, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    workdir = Workdir("bench-")
    redis = RedisServer(workdir)
    apps = Apps(workdir, BENCH_URL, redis.url, INTAKE_RATE_LIMIT="10000000/minute")
    bench = Bench(workdir, redis, apps, token="")
    try:
        apps.flask("db", "upgrade")
        bench.token = next(line.split()[-1] for line in apps.flask("demo", "load").splitlines()
                           if line.startswith("partner"))
        # A city in service has a routing model: dispatch runs the real router, not the no-model path.
        started = time.perf_counter()
        apps.flask("routing", "train", "--city", "金昌")
        print(f"routing model trained in {time.perf_counter() - started:.1f} s")
        for i, (port, workers, threads) in enumerate(web):
            apps.web(port, workers, threads, name=f"web-{i}")
        for i in range(dispatch_workers):
            apps.worker(f"worker-{i}", nice=WORKER_NICE)
        apps.scheduler()
    except BaseException:
        bench.close()  # no stray gunicorn or redis-server left behind
        raise
    return bench


def latency_line(label: str, seconds: list[float]) -> str:
    return (f"{label}: p50 {percentile(seconds, 0.5) * 1000:.1f} ms, p99 {percentile(seconds, 0.99) * 1000:.1f} ms"
            f" ({len(seconds)} samples)")


def throughput(results: list[Result]) -> float:
    """Accepted appeals per second, over the span from the first send to the last answer."""
    ok = [r for r in results if r.status == 201]
    if not ok:
        return 0.0
    span = max(r.sent_at + r.latency for r in ok) - min(r.sent_at for r in ok)
    return len(ok) / span


def baseline(rows: int, concurrency: int, batch: int = 1, tag: str = "") -> float:
    """Rows per second for the intake transaction done straight through psycopg, same concurrency:
    counter upsert, copies of a stored appeal, their receive events and outbox rows, `batch`
    appeals per commit (psycopg's executemany, as the app's multi-row INSERTs). A second baseline
    of the same batch size in one database needs another `tag` (external ids are unique)."""
    with psycopg.connect(BENCH_DSN) as conn:
        appeal = conn.execute("SELECT * FROM appeals ORDER BY id LIMIT 1").fetchone()
        appeal_cols = [c.name for c in conn.execute("SELECT * FROM appeals LIMIT 0").description]
        event = conn.execute("SELECT * FROM appeal_events WHERE appeal_id = %s AND seq = 1", (appeal[0],)).fetchone()
        event_cols = [c.name for c in conn.execute("SELECT * FROM appeal_events LIMIT 0").description]
    a_cols, e_cols = appeal_cols[1:], event_cols[1:]
    insert_appeal = (f"INSERT INTO appeals ({', '.join(a_cols)}) VALUES ({', '.join(['%s'] * len(a_cols))}) "
                     "RETURNING id")
    insert_event = f"INSERT INTO appeal_events ({', '.join(e_cols)}) VALUES ({', '.join(['%s'] * len(e_cols))})"
    counter = ("INSERT INTO appeal_counters (city_id, day, last) VALUES (%s, 'baseline', %s) "
               "ON CONFLICT (city_id, day) DO UPDATE SET last = appeal_counters.last + excluded.last RETURNING last")
    a_values = dict(zip(appeal_cols, appeal))
    e_values = dict(zip(event_cols, event))
    jsonb = psycopg.types.json.Jsonb

    def row(values: dict, cols: list[str]) -> list:
        return [jsonb(values[c]) if isinstance(values[c], (dict, list)) else values[c] for c in cols]

    def one(conn, first: int, count: int) -> None:
        with conn.transaction(), conn.cursor() as cur:
            last = cur.execute(counter, (a_values["city_id"], count)).fetchone()[0]
            appeals = [row({**a_values, "number": f"BL-{last - k:08d}", "external_id": f"baseline{tag}-{batch}-{first + k}"}, a_cols)
                       for k in range(count)]
            cur.executemany(insert_appeal, appeals, returning=True)
            ids = []
            while True:
                ids.append(cur.fetchone()[0])
                if not cur.nextset():
                    break
            cur.executemany(insert_event, [row({**e_values, "appeal_id": i}, e_cols) for i in ids])
            cur.executemany("INSERT INTO outbox (job, args, created_at, done_at) VALUES (%s, %s, now(), now())",
                            [("baseline", jsonb([i])) for i in ids])

    counter_lock, next_first = threading.Lock(), iter(range(0, rows, batch))

    def loop() -> None:
        with psycopg.connect(BENCH_DSN) as conn:
            while True:
                with counter_lock:
                    first = next(next_first, None)
                if first is None:
                    return
                one(conn, first, min(batch, rows - first))

    started = time.perf_counter()
    threads = [threading.Thread(target=loop) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return rows / (time.perf_counter() - started)


class Backends:
    """Samples the bench database's PostgreSQL backends while a burst runs (every `interval` s):
    how many are active ("running", I/O waits included), wait for their client inside a
    transaction, or wait for a lock, and on which statement. The day's counter row (one per city) is where intake transactions queue: the
    row stays locked from drawing the number until the transaction commits."""

    QUERY = ("SELECT wait_event_type = 'Lock', state, left(query, 40) FROM pg_stat_activity "
             "WHERE datname = current_database() AND backend_type = 'client backend' "
             "AND pid <> pg_backend_pid() AND state <> 'idle'")

    def __init__(self, interval: float = 0.1):
        self.interval, self.samples = interval, 0
        self.counts = {"running": 0, "waiting for their client": 0, "waiting for a lock": 0, "on the counter": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "Backends":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with psycopg.connect(BENCH_DSN, autocommit=True) as conn:
            while not self._stop.wait(self.interval):
                self.samples += 1
                for locked, state, query in conn.execute(self.QUERY):
                    if locked:
                        self.counts["waiting for a lock"] += 1
                        # the upsert alone (the baseline) or in intake's numbering statement
                        self.counts["on the counter"] += query.startswith(("INSERT INTO appeal_counters",
                                                                            "WITH counter AS"))
                    else:
                        self.counts["waiting for their client" if state.startswith("idle") else "running"] += 1

    def line(self) -> str:
        mean = {what: n / max(1, self.samples) for what, n in self.counts.items()}
        return (f"PostgreSQL backends, mean of {self.samples} samples: {mean['running']:.1f} running, "
                f"{mean['waiting for their client']:.1f} waiting for their client in a transaction, "
                f"{mean['waiting for a lock']:.1f} waiting for a lock ({mean['on the counter']:.1f} "
                "on the day's counter row)")


def dispatch_latencies(results: list[Result], timeout: float = 60) -> tuple[list[float], dict[str, int]]:
    """Seconds from sending each accepted appeal to its dispatch event, and dispatch events per
    appeal (waits until every accepted appeal is dispatched, or the timeout)."""
    sent = {r.external_id: r.sent_at for r in results if r.status == 201}
    query = ("SELECT a.external_id, count(e.id), min(extract(epoch FROM e.created_at)) FROM appeals a "
             "LEFT JOIN appeal_events e ON e.appeal_id = a.id AND e.action = ANY(%s) "
             "WHERE a.external_id = ANY(%s) GROUP BY a.external_id")
    deadline = time.monotonic() + timeout
    with psycopg.connect(BENCH_DSN, autocommit=True) as conn:
        while True:
            rows = conn.execute(query, (list(DISPATCH_ACTIONS), list(sent))).fetchall()
            if all(count for _, count, _ in rows) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    counts = {external_id: count for external_id, count, _ in rows}
    latencies = [float(at) - sent[external_id] for external_id, count, at in rows if count]
    return latencies, counts


def last_dispatch_at(results: list[Result]) -> float:
    """Wall-clock time of the last dispatch event among these appeals."""
    query = ("SELECT max(extract(epoch FROM e.created_at)) FROM appeals a JOIN appeal_events e ON e.appeal_id = a.id "
             "AND e.action = ANY(%s) WHERE a.external_id = ANY(%s)")
    with psycopg.connect(BENCH_DSN, autocommit=True) as conn:
        at = conn.execute(query, (list(DISPATCH_ACTIONS), [r.external_id for r in results])).fetchone()[0]
    return float(at) if at is not None else float("nan")


def cpu_by_role(bench: Bench) -> dict[str, float]:
    """CPU seconds used so far by the web processes, the RQ workers (each process and its
    children), PostgreSQL's backends and Redis."""
    tick = os.sysconf("SC_CLK_TCK")
    groups = {p.pid: ("web" if "gunicorn" in p.args[0] else "workers") for p in bench.apps.processes}
    groups[bench.redis.process.pid] = "Redis"
    spent = {"web": 0.0, "workers": 0.0, "PostgreSQL": 0.0, "Redis": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                comm, fields = f.read().rsplit(")", 1)
        except OSError:
            continue
        fields = fields.split()
        seconds = (int(fields[11]) + int(fields[12])) / tick
        role = groups.get(int(pid)) or groups.get(int(fields[2])) or ("PostgreSQL" if comm.endswith("(postgres") else None)
        if role:
            spent[role] += seconds
    return spent


def machine() -> str:
    import platform
    import subprocess

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    with open("/proc/cpuinfo") as info:
        cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "?")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, commit {commit}, "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average before the run {load}")
