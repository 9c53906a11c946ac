"""Workers' CPU per dispatched appeal, in one process: an RQ worker (jobs.worker.AppWorker) in
burst mode working the dispatch jobs intake pushed, RQ's own work and the Redis round trips included.

    .venv/bin/python -m bench.dispatch [--appeals 300] [--webhooks] [--profile]

Sets up the PostgreSQL database $BENCH_DISPATCH_DB (default appeals_bench_dispatch: migrations, `flask
demo load`, `flask routing train --city 金昌`), submits the starter corpus's validation texts (repeated to --appeals,
40 enterprises) through `intake.service.submit` as the partner, each in its own commit (so each
pushes its own RQ job, as under load), then works the private queue (with the demo's own received
appeals) with one burst worker and prints CPU time (`time.process_time`), SQL statements and
Redis round trips per dispatched appeal. Baseline in the same run: the router alone (`routing.service.route`) on the same appeals.
`--webhooks` adds a partner and a unit subscription, so every dispatch also fans out deliveries.
The fingerprint hashes what the jobs wrote (statuses, units, routing, events, deadlines relative
to their start, deliveries) without timestamps and ids: equal fingerprints on the same day mean
the same behaviour.
"""
import argparse
import cProfile
import hashlib
import json
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from bench.load import corpus_texts
from bench.stack import APP_ENV

ROOT = Path(__file__).resolve().parent.parent
DB = os.environ.get("BENCH_DISPATCH_DB", "appeals_bench_dispatch")
DSN = f"host=127.0.0.1 port=5432 user=postgres password=postgres dbname={DB}"
URL = f"postgresql+psycopg://postgres:postgres@127.0.0.1:5432/{DB}"
REDIS_URL = os.environ.get("BENCH_DISPATCH_REDIS_URL", "redis://127.0.0.1:6379/13")
QUEUE = "bench-dispatch"  # private: nothing consumes it, its keys are deleted at the end
ENV = {**APP_ENV, "DATABASE_URL": URL, "REDIS_URL": REDIS_URL, "RQ_QUEUE": QUEUE,
       "INSTANCE_DIR": "/tmp/bench-dispatch-instance"}


def _prepare() -> None:
    with psycopg.connect(DSN.replace(f"dbname={DB}", "dbname=postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB,)).fetchone():
            conn.execute(f"CREATE DATABASE {DB}")
    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    for command in (["db", "upgrade"], ["demo", "load"], ["routing", "train", "--city", "金昌"]):
        subprocess.run([sys.executable, "-m", "flask", *command], cwd=ROOT, env={**os.environ, **ENV}, check=True,
                       capture_output=True)



def _subscribe(db, city, partner_user) -> None:
    from models import Partner, Subscription, Unit

    partner = Partner(city_id=city.id, user_id=partner_user.id, slug="bench", name="bench", secret="s", mapping={})
    unit = db.session.query(Unit).filter_by(city_id=city.id, name="市工业和信息化局").one()
    db.session.add_all([partner, Subscription(city_id=city.id, partner=partner, url="http://127.0.0.1:1/p",
                                              secret="s", event_types=["appeal.dispatched"]),
                        Subscription(city_id=city.id, unit_id=unit.id, url="http://127.0.0.1:1/u", secret="s",
                                     event_types=["appeal.dispatched", "appeal.returned"])])
    db.session.commit()


def _relative(start, value) -> list | None:
    """A deadline as days after the start's local day, and its time: the end of a working day, or
    minutes after the start (so that runs at different times of the same day compare equal)."""
    from sla import to_local

    if value is None:
        return None
    start, local = to_local(start), to_local(value)  # naive local, both
    end_of_day = local.strftime("%H:%M:%S") == "23:59:59"
    return [(local.date() - start.date()).days, "eod" if end_of_day else (local - start).total_seconds() // 60]


def _fingerprint(db, appeal_ids: list[int]) -> str:
    from models import Appeal, Delivery

    digest = hashlib.sha256()
    for appeal in db.session.query(Appeal).filter(Appeal.id.in_(appeal_ids)).order_by(Appeal.id):
        clock = appeal.clock
        dues = clock and [_relative(clock.started_at, d) for d in (clock.accept_due, clock.first_response_due,
                                                                   clock.completion_due, clock.supervise_at)]
        dues = dues and [*dues, _relative(clock.started_at, clock.yellow_at)[:1]]
        events = [(e.seq, e.action, e.from_status, e.to_status, e.actor, e.reason, e.data) for e in appeal.events]
        deliveries = [(d.subscription_id, d.event_type, {**d.payload, "id": None, "occurred_at": None,
                                                         "appeal": {**d.payload["appeal"], "received_at": None,
                                                                    "dispatched_at": None, "deadline": None}})
                      for d in db.session.query(Delivery).filter_by(appeal_id=appeal.id).order_by(Delivery.id)]
        row = [appeal.status, appeal.lead_unit and appeal.lead_unit.name, [u.name for u in appeal.assisting_units],
               appeal.routing, events, dues, clock and clock.rule_set.version, deliveries]
        digest.update(json.dumps(row, ensure_ascii=False, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:16]


def _drop_queue(redis) -> None:
    """The private queue's keys and its waiting jobs (finished ones expire with their result_ttl);
    nothing else in the Redis database is touched."""
    for job in redis.lrange(f"rq:queue:{QUEUE}", 0, -1):
        redis.delete(b"rq:job:" + job)
    for key in redis.scan_iter(f"rq:*{QUEUE}*"):
        redis.delete(key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=300)
    parser.add_argument("--webhooks", action="store_true", help="a partner and a unit subscription")
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile of the jobs")
    args = parser.parse_args()
    _prepare()
    os.environ.update(ENV)

    from redis import Redis
    from redis.connection import Connection
    from sqlalchemy import event, select

    from app import create_app
    from intake.service import submit
    from jobs import worker
    from kernel.db import db
    from kernel.vocabulary import Status
    from models import Appeal, City, User
    from routing import service

    redis = Redis.from_url(REDIS_URL)
    _drop_queue(redis)
    app = create_app()
    app.logger.setLevel("ERROR")
    with app.app_context():
        city = db.session.scalar(select(City).where(City.name == "金昌"))
        partner = db.session.scalar(select(User).where(User.username == "partner"))
        if args.webhooks:
            _subscribe(db, city, partner)
        for n, text in enumerate(corpus_texts(args.appeals)):
            submit({"city": "金昌", "channel": "partner", "external_id": f"bench-{n}",
                    "enterprise": {"name": f"金昌第{n % 40}材料有限公司"},
                    "complainant": {"name": "张先生", "phone": f"138{n:08d}"}, "text": text, "urgency": "normal"},
                   partner)
        appeal_ids = db.session.scalars(select(Appeal.id).where(Appeal.status == Status.received)
                                        .order_by(Appeal.id)).all()  # the demo city's own too
        service.model_for(city.id)  # the model loads once per process, not per job
        db.session.remove()

        started = time.process_time()
        for appeal_id in appeal_ids:
            service.route(db.session.get(Appeal, appeal_id))
            db.session.rollback()
        route_ms = (time.process_time() - started) * 1000 / len(appeal_ids)
        db.session.remove()

        statements = round_trips = 0
        send = Connection.send_packed_command

        @event.listens_for(db.engine, "before_cursor_execute")
        def _count(*_):
            nonlocal statements
            statements += 1

        def counted_send(connection, *a, **k):
            nonlocal round_trips
            round_trips += 1
            return send(connection, *a, **k)

        Connection.send_packed_command = counted_send
        profile = cProfile.Profile(time.process_time) if args.profile else None
        started = time.process_time()
        if profile:
            profile.enable()
        worker.work(burst=True)
        if profile:
            profile.disable()
        job_ms = (time.process_time() - started) * 1000 / len(appeal_ids)
        Connection.send_packed_command = send
        event.remove(db.engine, "before_cursor_execute", _count)

        statuses = dict(db.session.execute(select(Appeal.status, db.func.count()).where(Appeal.id.in_(appeal_ids))
                                           .group_by(Appeal.status)).all())
        fingerprint = _fingerprint(db, appeal_ids)
        db.session.remove()
    _drop_queue(redis)

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    counts = ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
    print(f"commit {commit.strip()}, {len(appeal_ids)} appeals ({counts})"
          f"{', webhooks: 2 subscriptions' if args.webhooks else ''}, load average {os.getloadavg()[0]:.1f}")
    print(f"RQ worker (burst) per dispatched appeal: {job_ms:.2f} ms CPU, {statements / len(appeal_ids):.1f} SQL "
          f"statements, {round_trips / len(appeal_ids):.1f} Redis round trips")
    print(f"baseline, router alone (routing.service.route): {route_ms:.2f} ms CPU; "
          f"workers/router = {job_ms / route_ms:.2f} (target ≤ 1.5)")
    print(f"fingerprint of what the jobs wrote: {fingerprint}")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
