"""Router speed: appeals routed per second by one worker process, against plain `jieba.lcut`.

    .venv/bin/python -m bench.routing_throughput [--appeals 700]

1. Model load: a fresh process unpickles a stored 金昌 model version (its blob, as a worker does when
   a version becomes active), timed with and without the import of scikit-learn and jieba, and its
   resident memory before and after.
2. Router only: `CityModel.predict` over the starter corpus's validation texts (repeated to --appeals), and in the
   same run `jieba.lcut` over the same texts (the baseline: tokenising alone).
3. The dispatch job end to end in one process (routing.dispatch.dispatch_appeal and its commit, as
   the RQ worker runs it) on a scratch SQLite database with the 金昌 seed table imported.
4. CPU time per prediction against the router of an earlier commit (--baseline, default the release
   before the starter corpus), measured in the same run: that commit's routing/ is exported to a
   scratch directory and a child process trains its 金昌 model and predicts the same texts.
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

from bench.load import corpus_texts

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_e8af529a3e52d661.txt"
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


CPU_PROBE = """
import json, sys, time
sys.path.insert(0, sys.argv[1])  # the exported routing/ first, then the worktree (tables)
sys.path.insert(1, sys.argv[2])
from routing.knowledge import from_parsed
from routing.model import train
from tables import parse_file
texts = json.loads(open(sys.argv[4], encoding="utf-8").read())
model = train(from_parsed("金昌", parse_file(sys.argv[3])))
model.predict(texts[0])
started = time.process_time()
for text in texts:
    model.predict(text)
print(json.dumps({"cpu_ms": (time.process_time() - started) / len(texts) * 1000}))
"""


def _cpu_ms(routing_parent: str, texts: list[str], workdir: str) -> float:
    """CPU milliseconds per prediction of the router found in routing_parent, in a child process."""
    path = Path(workdir) / "texts.json"
    path.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", CPU_PROBE, routing_parent, str(ROOT), str(SEED), str(path)],
                         cwd=workdir, check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])["cpu_ms"]


def _export(commit: str, workdir: str) -> str:
    """routing/ of a commit, in a scratch directory."""
    target = Path(workdir) / f"routing-{commit}"
    target.mkdir()
    archive = subprocess.run(["git", "archive", commit, "routing"], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return str(target)



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
    from kernel.db import db
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
    parser.add_argument("--baseline", default="ae2024b", help="commit whose router is the CPU baseline")
    args = parser.parse_args()
    texts = corpus_texts(args.appeals)
    workdir = tempfile.mkdtemp(prefix="bench-routing-")
    _environment(workdir)
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, check=True,
                   capture_output=True)

    rate_job, statuses, trained = _dispatch_rate(texts)

    from app import create_app
    from kernel.db import db
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
    cpu_old = _cpu_ms(_export(args.baseline, workdir), texts, workdir)
    cpu_new = _cpu_ms(str(ROOT), texts, workdir)
    print(f"CPU per prediction, same texts, same run: {cpu_new:.2f} ms now, {cpu_old:.2f} ms at {args.baseline}; "
          f"ratio {cpu_new / cpu_old:.2f} (target ≤ 2)")
    print(f"dispatch job end to end, one process, SQLite: {rate_job:.0f} appeals/s "
          f"({', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))}); "
          f"dispatch job/jieba = {rate_job / rate_jieba:.3f}")


if __name__ == "__main__":
    main()
