"""Router speed: appeals routed per second by one worker process, against plain `jieba.lcut`.

    .venv/bin/python -m bench.routing_throughput [--appeals 700]

1. Model load: a fresh process unpickles a stored 金昌 model version (its blob, as a worker does when
   a version becomes active), timed with and without the import of scikit-learn and jieba, and its
   resident memory before and after.
2. Router only: `CityModel.predict` over the dev set's 金昌 texts (repeated to --appeals), and in the
   same run `jieba.lcut` over the same texts (the baseline: tokenising alone).
3. The dispatch job end to end in one process (routing.dispatch.dispatch_appeal and its commit, as
   the RQ worker runs it) on a scratch SQLite database with the 金昌 seed table imported.
The dev set is only read for its texts here.
"""
import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_e8af529a3e52d661.txt"
DEV = SHARED / "data" / "dev_appeals.jsonl"
CITY = "金昌"

LOAD_PROBE = """
import json, pickle, sys, time, zlib
def rss():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1]) / 1024
blob = open(sys.argv[1], "rb").read()
before, t0 = rss(), time.monotonic()
import jieba, sklearn.svm, sklearn.feature_extraction.text  # noqa: E401
t1 = time.monotonic()
model = pickle.loads(zlib.decompress(blob))
model.predict("银行不给续贷")  # the first prediction builds the city's tokenizer
t2 = time.monotonic()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "rss_before": before, "rss_after": rss()}))
"""


def _texts(n: int) -> list[str]:
    texts = [r["text"] for r in map(json.loads, DEV.read_text(encoding="utf-8").splitlines()) if r["city"] == CITY]
    return [texts[i % len(texts)] for i in range(n)]


def _rate(function, texts: list[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        function(text)
    return len(texts) / (time.perf_counter() - started)


def _environment(workdir: str) -> None:
    os.environ.update({
        "APP_ENV": "development", "DATABASE_URL": f"sqlite:///{workdir}/bench.db",
        "INSTANCE_DIR": workdir, "SECRET_KEY": "bench",
        "DATA_KEYS": "NzYvdjN3Y3pVb1hHQnRtS3ZkNjB6T0ZGY1N4Y3VxQ2w=", "INDEX_KEY": "bench-index-key-0123456789abcdef",
        "REDIS_URL": "redis://127.0.0.1:1/0",  # never used: the dispatch job enqueues nothing here
    })


def _dispatch_rate(texts: list[str]) -> tuple[float, dict, float]:
    """Appeals per second through the dispatch job; how they went; seconds to train the model."""
    from app import create_app
    from app.extensions import db
    from models import Appeal, City
    from routing import jobs
    from routing.dispatch import dispatch_appeal
    from tables.importer import import_table

    app = create_app()
    with app.app_context():
        import_table(CITY, SEED)
        db.session.commit()
        city = db.session.query(City).filter_by(name=CITY).one()
        started = time.monotonic()
        jobs.build_version(city.id)
        db.session.commit()
        trained = time.monotonic() - started
        ids = []
        for i, text in enumerate(texts):
            appeal = Appeal(number=f"JC20261122-{i:06d}", city=city, channel="hotline", external_id=f"b{i}",
                            enterprise_name=f"金昌第{i}材料有限公司", complainant_name="x", complainant_phone="x",
                            complainant_phone_hash=f"{i}", text=text, assisting_units=[])
            db.session.add(appeal)
            db.session.flush()
            ids.append(appeal.id)
        db.session.commit()
        started = time.perf_counter()
        for appeal_id in ids:
            dispatch_appeal(appeal_id)
            db.session.commit()
        rate = len(ids) / (time.perf_counter() - started)
        statuses = dict(db.session.query(Appeal.status, db.func.count()).group_by(Appeal.status).all())
        db.session.remove()
    return rate, statuses, trained


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=700)
    args = parser.parse_args()
    texts = _texts(args.appeals)
    workdir = tempfile.mkdtemp(prefix="bench-routing-")
    _environment(workdir)
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, check=True,
                   capture_output=True)

    rate_job, statuses, trained = _dispatch_rate(texts)

    from app import create_app
    from app.extensions import db
    from models import RouterModel

    with create_app().app_context():
        blob = db.session.query(RouterModel.blob).filter_by(active=True).scalar()
    path = Path(workdir) / "model.bin"
    path.write_bytes(blob)
    probe = json.loads(subprocess.run([sys.executable, "-c", LOAD_PROBE, str(path)], cwd=ROOT, check=True,
                                      capture_output=True, text=True).stdout)

    import jieba

    model = pickle.loads(zlib.decompress(blob))
    model.predict(texts[0])
    jieba.lcut(texts[0])  # both warm before timing
    rate_router = _rate(model.predict, texts)
    rate_jieba = _rate(jieba.lcut, texts)

    print(f"{CITY} model: {len(blob) / 1e6:.1f} MB stored (pickle, zlib), trained in {trained:.1f} s")
    print(f"model load in a fresh process: {probe['load'] * 1000:.0f} ms (+ {probe['import'] * 1000:.0f} ms importing "
          f"scikit-learn and jieba); resident memory {probe['rss_before']:.0f} MB before, "
          f"{probe['rss_after']:.0f} MB after (+{probe['rss_after'] - probe['rss_before']:.0f} MB)")
    print(f"router only ({len(texts)} texts): {rate_router:.0f} appeals/s; jieba.lcut on the same texts: "
          f"{rate_jieba:.0f} texts/s; router/jieba = {rate_router / rate_jieba:.3f}")
    print(f"dispatch job end to end, one process, SQLite: {rate_job:.0f} appeals/s "
          f"({', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))}); "
          f"dispatch job/jieba = {rate_job / rate_jieba:.3f}")


if __name__ == "__main__":
    main()
