"""Concurrent scans over committed data: row locks keep every change recorded once."""
import threading

import pytest

from kernel.db import db
from models import AppealEvent, SupervisionOrder
from supervision.scan import scan
from tests.sla.helpers import dispatched, local


@pytest.mark.pg_only
def test_parallel_scans_record_once(app, live_world):
    appeals = [dispatched(live_world, local(2026, 11, 2, 9)) for _ in range(20)]
    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker():
        try:
            with app.app_context():
                barrier.wait()
                results.append(scan(now=local(2026, 11, 20, 9)))
                db.session.remove()
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(r["red"] for r in results) == 20 and sum(r["supervise"] for r in results) == 20
    ids = [a.id for a in appeals]
    reds = db.session.query(AppealEvent).filter(AppealEvent.appeal_id.in_(ids), AppealEvent.action == "sla_red")
    assert reds.count() == 20
    assert db.session.query(SupervisionOrder).count() == 20
