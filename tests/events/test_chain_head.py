"""What a transaction knows of an appeal's log (issue 24): its row lock and the newest event it
recorded, kept per savepoint, so that appends within one transaction neither lock again nor re-read
the head, and a savepoint rolled back or released leaves a chain without gaps or forks."""
from sqlalchemy import event, select

from audit.verify import verify
from events.log import held, record
from kernel.db import db
from models import AppealEvent
from tests.sla.helpers import make_appeal


def _statements(run) -> list[str]:
    seen = []

    def log(conn, cursor, statement, *_):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", log)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", log)
    return seen


def _chain(appeal_id):
    return db.session.execute(select(AppealEvent.seq, AppealEvent.action).where(AppealEvent.appeal_id == appeal_id)
                              .order_by(AppealEvent.seq)).all()


def test_appends_after_the_first_neither_lock_nor_read_the_head(world):
    appeal = make_appeal(world)
    record(appeal, "contact", None, from_status=appeal.status)
    db.session.commit()
    appeal = db.session.get(type(appeal), appeal.id, with_for_update=True)
    held(appeal.id)
    first = _statements(lambda: record(appeal, "contact", None, from_status=appeal.status))
    later = _statements(lambda: [record(appeal, "handover", None, from_status=appeal.status) for _ in range(2)])
    assert not any("FOR UPDATE" in s for s in first + later)
    assert sum("appeal_events" in s for s in first) == 1 and later == []
    db.session.commit()
    assert [seq for seq, _ in _chain(appeal.id)] == [1, 2, 3, 4]


def test_savepoints_rolled_back_or_released_keep_one_chain(world):
    appeal = make_appeal(world)
    record(appeal, "contact", None, from_status=appeal.status)  # seq 1, head known in the transaction
    savepoint = db.session.begin_nested()
    record(appeal, "handover", None, from_status=appeal.status)  # seq 2, rolled back
    savepoint.rollback()
    record(appeal, "contact", None, from_status=appeal.status)  # seq 2 again
    with db.session.begin_nested():
        record(appeal, "handover", None, from_status=appeal.status)  # seq 3, released
    record(appeal, "contact", None, from_status=appeal.status)  # seq 4: the head is asked again
    db.session.commit()
    assert _chain(appeal.id) == [(1, "contact"), (2, "contact"), (3, "handover"), (4, "contact")]
    report = verify(number=appeal.number)
    assert report.problems == []
