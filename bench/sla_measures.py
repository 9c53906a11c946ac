"""Measures and the monthly bulletin over N appeals in PostgreSQL, against `SELECT count(*)`.

    .venv/bin/python -m bench.sla_measures postgresql+psycopg://postgres@127.0.0.1:5432/DB [--rows 1000000]

THE DATABASE IS EMPTIED (schema public dropped and migrated afresh). Rows are generated inside
PostgreSQL with INSERT ... SELECT generate_series: a year of appeals (Dec 2025 - Nov 2026) over 20
units, with clocks, follow-up answers, extensions, reopens and returns in fixed proportions.
Prints seconds for each query and its ratio to a plain count(*) over the appeals table.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNITS = 20
TOPICS = ["融资贷款难", "政府拖欠账款", "行政审批", "用工招聘", "水电气暖", "税费政策", "市场监管", "知识产权",
          "土地规划", "园区配套"]


def _environment(url: str) -> None:
    os.environ.update({
        "APP_ENV": "development", "DATABASE_URL": url, "INSTANCE_DIR": tempfile.mkdtemp(prefix="bench-sla-"), "SECRET_KEY": "bench",
        "DATA_KEYS": "NzYvdjN3Y3pVb1hHQnRtS3ZkNjB6T0ZGY1N4Y3VxQ2w=", "INDEX_KEY": "bench-index-key-0123456789abcdef",
    })


GENERATE = """
INSERT INTO appeals (number, city_id, channel, enterprise_name, complainant_name, complainant_phone,
                     complainant_phone_hash, text, urgency, status, lead_unit_id, routing, received_at,
                     dispatched_at, accepted_at, first_response_at, replied_at, closed_at, updated_at)
SELECT 'B' || lpad(i::text, 9, '0'), :city, 'hotline', '金昌第' || (i % 997) || '材料有限公司', 'x', 'x',
       md5(i::text) || md5(i::text), '诉求内容', CASE WHEN i % 10 = 0 THEN 'consult' ELSE 'normal' END,
       CASE WHEN i % 5 = 0 THEN 'accepted' ELSE 'closed' END, :unit0 + i % :units,
       json_build_object('explanation', json_build_object('matter', (CAST(:topics AS text[]))[1 + (i * 7) % 10])),
       r, r, r, r + (i % 30) * interval '1 hour', r + (i % 200) * interval '1 hour',
       CASE WHEN i % 5 = 0 THEN NULL ELSE r + (i % 200) * interval '1 hour' END, r
FROM (SELECT i, timestamptz '2025-11-30 16:00+00' + (i % 365) * interval '1 day' + (i % 86400) * interval '1 second'
      AS r FROM generate_series(1, :rows) AS i) AS g
"""
CLOCKS = """
INSERT INTO sla_appeal_clocks (appeal_id, rule_set_id, open, pending, started_at, accept_due, first_response_due,
    completion_due, yellow_at, supervise_at, last_colour, supervision_opened, extensions_granted, extended,
    returns, reopens, solved, rating, followed_up_at)
SELECT id, :rule_set, status <> 'closed', false, received_at, received_at + interval '1 day',
       CASE WHEN urgency = 'consult' THEN NULL ELSE received_at + interval '1 day' END,
       received_at + interval '7 days', received_at + interval '5 days', received_at + interval '8 days',
       'green', false, (id % 17 = 0)::int, id % 17 = 0, (id % 20 = 0)::int, (id % 23 = 0)::int,
       CASE WHEN status = 'closed' THEN id % 7 <> 0 END,
       CASE WHEN status <> 'closed' THEN NULL WHEN id % 9 = 0 THEN 'dissatisfied'
            WHEN id % 4 = 0 THEN 'fairly_satisfied' ELSE 'satisfied' END,
       CASE WHEN status = 'closed' THEN closed_at + interval '1 day' END
FROM appeals
"""
ASSIGNMENTS = """
INSERT INTO sla_unit_assignments (appeal_id, city_id, unit_id, started_at, ended_at, ended_by)
SELECT id, city_id, lead_unit_id, received_at, NULL, NULL FROM appeals
UNION ALL
SELECT id, city_id, :unit0 + (id + 1) % :units, received_at, received_at, 'return' FROM appeals WHERE id % 20 = 0
"""


def _timed(label: str, fn, baseline: float | None, repeat: int = 3):
    best = min(_once(fn) for _ in range(repeat))
    ratio = f"  ({best / baseline:.1f} × count(*))" if baseline else ""
    print(f"{label:<46} {best:8.3f} s{ratio}")
    return best


def _once(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database", help="PostgreSQL URL (its schema public is dropped)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    if not args.database.startswith("postgresql"):
        sys.exit("需要 PostgreSQL 数据库地址")
    _environment(args.database)

    from sqlalchemy import text

    from app import create_app
    from kernel.db import db
    from models import City, Unit
    from sla.service import current_rule_set
    from supervision.bulletin import bulletin, bulletin_xlsx, month_bounds
    from supervision.measures import measures

    app = create_app()
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.engine.dispose()
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, check=True,
                       capture_output=True)
        city = City(name="金昌", code="JC")
        db.session.add(city)
        db.session.flush()
        units = [Unit(city_id=city.id, name=f"单位{n:02d}") for n in range(UNITS)]
        db.session.add_all(units)
        db.session.flush()
        rule_set = current_rule_set(city.id)
        params = {"city": city.id, "unit0": units[0].id, "units": UNITS, "rows": args.rows, "topics": TOPICS,
                  "rule_set": rule_set.id}
        started = time.perf_counter()
        for sql in (GENERATE, CLOCKS, ASSIGNMENTS):
            db.session.execute(text(sql), params)
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        print(f"generated {args.rows:,} appeals with clocks in {time.perf_counter() - started:.1f} s")

        now = datetime(2026, 12, 10, tzinfo=UTC)
        year = (month_bounds("2025-12")[0], month_bounds("2026-11")[1])
        base = _timed("SELECT count(*) FROM appeals (baseline)",
                      lambda: db.session.execute(text("SELECT count(*) FROM appeals")).scalar(), None)
        _timed(f"measures, whole year ({args.rows:,} appeals)", lambda: measures(city.id, *year, now=now), base)
        _timed("measures, one month", lambda: measures(city.id, *month_bounds("2026-11"), now=now), base)
        _timed("bulletin JSON data, one month", lambda: bulletin(city.id, "2026-11", now=now), base)
        data = bulletin(city.id, "2026-11", now=now)
        _timed("bulletin XLSX, one month", lambda: bulletin_xlsx(bulletin(city.id, "2026-11", now=now), "金昌"), base)
        print(f"bulletin: {len(data['measures']['units'])} units, {len(data['overdue'])} overdue rows, "
              f"top topic {data['topics'][0]}")


if __name__ == "__main__":
    main()
