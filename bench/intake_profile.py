"""What one intake request costs the web process: SQL statements, Redis commands, CPU, profile.

    .venv/bin/python -m bench.intake_profile [--requests 500] [--profile]

Sets up the PostgreSQL database $BENCH_DB_profile (migrations, `flask demo load`), starts a private
Redis, then posts single appeals as the demo partner through Flask's test client in this process
(no HTTP server, no other load) and prints, per request: CPU time, SQL statements (by their first
words), how long the city's counter row stays locked, Redis commands and round trips.
`--profile FILE` profiles the requests (CPU time) into FILE and prints the top functions.
"""
import argparse
import collections
import cProfile
import os
import pstats
import statistics
import time

import psycopg

from bench.harness import BENCH_DB
from bench.load import appeal_body
from bench.stack import APP_ENV, Apps, RedisServer, Workdir

DB = f"{BENCH_DB}_profile"
DSN = f"host=127.0.0.1 port=5432 user=postgres dbname={DB}"
URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB}"


def _prepare(workdir: Workdir, redis_url: str) -> str:
    """A migrated database with the demo city; the partner's token."""
    with psycopg.connect(DSN.replace(f"dbname={DB}", "dbname=postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB,)).fetchone():
            conn.execute(f'CREATE DATABASE "{DB}"')
    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    apps = Apps(workdir, URL, redis_url, INTAKE_RATE_LIMIT="10000000/minute")
    apps.flask("db", "upgrade")
    return next(line.split()[-1] for line in apps.flask("demo", "load").splitlines() if line.startswith("partner"))


class Counters:
    """SQL statements (through the engine) and Redis commands and round trips (every client)."""

    def __init__(self, engine):
        from redis import connection
        from sqlalchemy import event
        from sqlalchemy.orm import Session

        self.sql, self.redis, self.round_trips = collections.Counter(), collections.Counter(), 0
        self.began = self.locked = None
        self.held, self.transaction = [], []
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(Session, "after_commit", self._committed)
        counters = self
        for serializer in (connection.HiredisRespSerializer, connection.PythonRespSerializer):
            def pack(packer, *args, _pack=serializer.pack):
                counters.redis[str(args[0]).upper()] += 1
                return _pack(packer, *args)

            serializer.pack = pack
        send = connection.AbstractConnection.send_packed_command

        def send_packed_command(conn, command, check_health=True):
            counters.round_trips += 1
            return send(conn, command, check_health)

        connection.AbstractConnection.send_packed_command = send_packed_command

    def _statement(self, conn, cursor, statement, parameters, context, executemany):
        self.sql[" ".join(statement.split()[:3])[:60]] += 1
        now = time.perf_counter()
        if self.began is None:
            self.began = now
        if "appeal_counters" in statement:
            self.locked = now

    def _committed(self, session) -> None:
        """Wall time from the transaction's first statement, and from the counter's upsert (the
        city's counter row locked), to the end of the commit."""
        now = time.perf_counter()
        if self.locked is not None:
            self.held.append(now - self.locked)
            self.transaction.append(now - self.began)
        self.began = self.locked = None

    def reset(self) -> None:
        self.sql.clear()
        self.redis.clear()
        self.round_trips = 0
        self.held, self.transaction = [], []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--profile", metavar="FILE", help="profile (CPU time) into FILE and print its top")
    args = parser.parse_args()

    workdir = Workdir("bench-profile-")
    redis = RedisServer(workdir)
    try:
        token = _prepare(workdir, redis.url)
        os.environ.update({**APP_ENV, "DATABASE_URL": URL, "REDIS_URL": redis.url,
                           "INSTANCE_DIR": str(workdir.path / "instance"), "INTAKE_RATE_LIMIT": "10000000/minute"})
        from app import create_app
        from kernel.db import db

        app = create_app()
        with app.app_context():
            counters = Counters(db.engine)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}

        def post(n: int) -> None:
            response = client.post("/api/v1/appeals", json=appeal_body(f"profile-{n}", n), headers=headers)
            assert response.status_code == 201, response.get_data(as_text=True)

        for n in range(50):  # warm-up: connections, compiled statements, lazy imports
            post(n)
        counters.reset()
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        started = time.process_time()
        if profiler:
            profiler.enable()
        for n in range(50, 50 + args.requests):
            post(n)
        if profiler:
            profiler.disable()
        cpu = (time.process_time() - started) / args.requests
        per = args.requests
        print(f"{args.requests} single appeals through the test client: {cpu * 1000:.2f} ms CPU per request"
              + (" (profiled)" if profiler else ""))
        print(f"SQL statements per request: {sum(counters.sql.values()) / per:.2f}")
        for statement, n in counters.sql.most_common():
            print(f"    {n / per:5.2f}  {statement}")
        if counters.held:
            print(f"the city's counter row locked per request (counter upsert to end of commit, wall): "
                  f"mean {statistics.mean(counters.held) * 1000:.2f} ms, median "
                  f"{statistics.median(counters.held) * 1000:.2f} ms; whole transaction (first statement to "
                  f"end of commit): mean {statistics.mean(counters.transaction) * 1000:.2f} ms")
        print(f"Redis commands per request: {sum(counters.redis.values()) / per:.2f} "
              f"in {counters.round_trips / per:.2f} round trips")
        for command, n in counters.redis.most_common():
            print(f"    {n / per:5.2f}  {command}")
        if profiler:
            profiler.dump_stats(args.profile)
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(30)
            stats.sort_stats("cumulative").print_stats(60)
    finally:
        redis.stop()
        workdir.close()


if __name__ == "__main__":
    main()
