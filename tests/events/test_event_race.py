"""Every appender of an appeal's event log queues on the appeal's row lock (issue 26 item 1).

A full read (operator, supervisor: `view_complainant`; a dispatcher's disclosure) appends an event,
and so do the dispatch job, the transitions and the SLA scan. Fired at one appeal at once, from a
real RQ worker process and from request threads, every request is answered, every event is in one
gapless chain, and no job fails.
"""
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from rq.registry import FailedJobRegistry
from sqlalchemy import select, text

from audit.verify import verify
from kernel.db import db
from kernel.vocabulary import Status
from models import Appeal, AppealEvent, OutboxMessage
from supervision.scan import scan
from tests.factories import appeal_body
from tests.jobs.helpers import kill_hard, start_worker, wait_until

READS_PER_APPEAL = 6


def _deadlocks() -> int:
    return db.session.execute(text(
        "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")).scalar_one()


@pytest.mark.pg_only
def test_concurrent_reads_transitions_and_dispatch_keep_one_chain(app, live_world, redis_conn):
    readers = [live_world.user(role)[1] for role in ("operator", "supervisor", "operator")]
    _, dispatcher = live_world.user("dispatcher")
    _, handler = live_world.user("handler", "市工信局")
    deadlocks_before = _deadlocks()
    db.session.remove()
    worker = start_worker()
    answers, lock = [], threading.Lock()

    def call(method, url, headers, **kwargs):
        with app.test_client() as c:
            response = c.open(url, method=method, headers=headers, **kwargs)
        with lock:
            answers.append((method, url, response.status_code, response.get_data(as_text=True)[:200]))
        return response

    def read_burst(number):
        with ThreadPoolExecutor(max_workers=READS_PER_APPEAL) as pool:
            for i in range(READS_PER_APPEAL):
                pool.submit(call, "GET", f"/api/v1/appeals/{number}", readers[i % len(readers)])

    def scans():
        with app.app_context():
            for _ in range(5):
                scan()
                db.session.remove()
                time.sleep(0.05)

    try:
        wait_until(lambda: redis_conn.smembers("rq:workers"), timeout=60)
        numbers = []
        for _ in range(4):
            # Intake pushes the dispatch job to the waiting worker; the reads follow at once.
            created = call("POST", "/api/v1/appeals", readers[0], json=appeal_body())
            numbers.append(created.get_json()["number"])
            read_burst(numbers[-1])
        scanner = threading.Thread(target=scans)
        scanner.start()
        for number in numbers:
            wait_until(lambda number=number: _status(number) == Status.manual, timeout=60)
            steps = [
                ("POST", f"/api/v1/appeals/{number}/assign", dispatcher, {"lead_unit": "市工信局"}),
                ("POST", f"/api/v1/appeals/{number}/accept", handler, {}),
                ("POST", f"/api/v1/appeals/{number}/contact", handler, {"note": "已电话联系"}),
                ("POST", f"/api/v1/appeals/{number}/disclosures", dispatcher, {"reason": "需要回访企业"}),
            ]
            for method, url, headers, body in steps:
                with ThreadPoolExecutor(max_workers=4) as pool:
                    pool.submit(call, method, url, headers, json=body)
                    for i in range(3):
                        pool.submit(call, "GET", f"/api/v1/appeals/{number}", readers[i])
        scanner.join(60)
    finally:
        kill_hard(worker)

    failed = [a for a in answers if a[2] >= 500 or a[2] == 409]
    assert failed == [], failed
    assert len(answers) == 4 * (1 + READS_PER_APPEAL) + 4 * 4 * 4
    assert FailedJobRegistry(app.config["RQ_QUEUE"], connection=redis_conn).count == 0
    db.session.remove()
    # An outbox job's failure is recorded on its message, not in RQ's failed list.
    assert db.session.scalars(select(OutboxMessage.last_error).where(OutboxMessage.attempts > 0)).all() == []
    for number in numbers:
        appeal = db.session.scalar(select(Appeal).where(Appeal.number == number))
        seqs = db.session.scalars(select(AppealEvent.seq).where(AppealEvent.appeal_id == appeal.id)
                                  .order_by(AppealEvent.seq)).all()
        assert seqs == list(range(1, len(seqs) + 1))
        assert appeal.status == Status.accepted
    report = verify()
    assert report.problems == [] and report.appeals == 4
    assert _deadlocks() == deadlocks_before


def _status(number):
    db.session.remove()
    return db.session.scalar(select(Appeal.status).where(Appeal.number == number))
