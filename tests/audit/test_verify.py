"""`flask audit verify` finds altered, forged and removed entries of the event log."""
import pytest
from sqlalchemy import text

from events.log import event_digest
from models import Appeal, AppealEvent
from routing.dispatch import dispatch_appeal
from tests.factories import appeal_body


@pytest.fixture
def appeals(app, client, world, database):
    """Two appeals, each with the log receive → to_manual → view_complainant (seq 1..3)."""
    _, headers = world.user("operator")
    numbers = []
    for _ in range(2):
        number = client.post("/api/v1/appeals", json=appeal_body(), headers=headers).get_json()["number"]
        appeal = database.session.query(Appeal).filter_by(number=number).one()
        dispatch_appeal(appeal.id)
        database.session.commit()
        assert client.get(f"/api/v1/appeals/{number}", headers=headers).status_code == 200
        numbers.append(number)
    return numbers


def run(app, *args):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def tamper(database, sql: str, **params) -> None:
    """Raw SQL past the ORM guard; on PostgreSQL the append-only trigger is disabled for it."""
    postgres = database.session.get_bind().dialect.name == "postgresql"
    if postgres:
        database.session.execute(text("ALTER TABLE appeal_events DISABLE TRIGGER appeal_events_append_only"))
    database.session.execute(text(sql), params)
    if postgres:
        database.session.execute(text("ALTER TABLE appeal_events ENABLE TRIGGER appeal_events_append_only"))
    database.session.expire_all()


def event_of(database, number: str, seq: int) -> AppealEvent:
    return database.session.query(AppealEvent).join(Appeal).filter(Appeal.number == number,
                                                                    AppealEvent.seq == seq).one()


def test_untouched_log_passes(app, appeals):
    result = run(app)
    assert result.exit_code == 0, result.output
    assert "已核验 2 件诉求、6 条办理记录、0 个审计检查点，未发现问题" in result.output


def test_edited_entry_is_reported_as_altered(app, database, appeals):
    tamper(database, "UPDATE appeal_events SET reason = '已联系' WHERE id = :id",
           id=event_of(database, appeals[0], 2).id)
    result = run(app)
    assert result.exit_code == 1
    assert f"诉求 {appeals[0]}：第 2 条记录内容被篡改（哈希不符）" in result.output
    assert appeals[1] not in result.output
    assert "发现 1 处问题" in result.output


def test_forged_entry_with_its_own_valid_hash_breaks_the_next_link(app, database, appeals):
    event = event_of(database, appeals[1], 2)
    event_id = event.id
    database.session.expunge(event)
    event.reason = "自动分拨成功"
    forged_hash = event_digest(event)
    tamper(database, "UPDATE appeal_events SET reason = :reason, hash = :hash WHERE id = :id",
           reason="自动分拨成功", hash=forged_hash, id=event_id)
    result = run(app)
    assert result.exit_code == 1
    assert f"诉求 {appeals[1]}：第 3 条记录链接断裂（与前一条记录的哈希不符）" in result.output
    assert "被篡改" not in result.output


def test_deleted_middle_entry_is_missing(app, database, appeals):
    tamper(database, "DELETE FROM appeal_events WHERE id = :id", id=event_of(database, appeals[0], 2).id)
    result = run(app)
    assert result.exit_code == 1
    assert f"诉求 {appeals[0]}：第 2 条记录缺失" in result.output
    assert "发现 1 处问题" in result.output


def test_deleted_tail_that_changed_the_status_is_reported(app, database, appeals):
    ids = [event_of(database, appeals[0], seq).id for seq in (2, 3)]
    tamper(database, "DELETE FROM appeal_events WHERE id IN (:a, :b)", a=ids[0], b=ids[1])
    result = run(app)
    assert result.exit_code == 1
    assert f"诉求 {appeals[0]}：第 2 条记录日志末尾缺失" in result.output


def test_appeal_and_city_filters(app, database, appeals):
    tamper(database, "UPDATE appeal_events SET actor = '他人' WHERE id = :id", id=event_of(database, appeals[0], 1).id)
    assert run(app, "--appeal", appeals[1]).exit_code == 0
    assert run(app, "--appeal", appeals[0]).exit_code == 1
    assert run(app, "--city", "金昌").exit_code == 1
    other = run(app, "--city", "兰州")
    assert other.exit_code == 0 and "已核验 0 件诉求" in other.output
    missing = run(app, "--appeal", "JC00000000-000000")
    assert missing.exit_code == 2 and "未找到诉求" in missing.output
