"""Keyed hashes and signed checkpoints: truncation and keyless rewrites show (issue 21 item 8)."""
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select, text

from audit import verify as verify_module
from audit.checkpoints import checkpoint
from audit.rekey import legacy_digest, rekey
from events.log import GENESIS, event_digest
from models import Appeal, AppealEvent, AuditCheckpoint, AuditCheckpointHead
from routing.dispatch import dispatch_appeal
from tests.audit.test_verify import event_of, run, tamper
from tests.factories import appeal_body


@pytest.fixture
def appeal(client, world, database):
    """One appeal whose log is receive → to_manual → a handler's disclosure → two operator reads (seq 1..5)."""
    _, operator = world.user("operator")
    _, dispatcher = world.user("dispatcher")
    number = client.post("/api/v1/appeals", json=appeal_body(), headers=operator).get_json()["number"]
    dispatch_appeal(database.session.scalar(select(Appeal.id).where(Appeal.number == number)))
    database.session.commit()
    assert client.post(f"/api/v1/appeals/{number}/disclosures", json={"reason": "需要联系企业核实"},
                       headers=dispatcher).status_code == 200
    for _ in range(2):
        assert client.get(f"/api/v1/appeals/{number}", headers=operator).status_code == 200
    return number


def _rows(database, number):
    return database.session.scalars(select(AppealEvent).join(Appeal).where(Appeal.number == number)
                                    .order_by(AppealEvent.seq)).all()


def test_clean_chain_with_checkpoints_passes(app, appeal):
    assert checkpoint() == 1
    assert checkpoint() == 0  # nothing grew
    result = run(app)
    assert result.exit_code == 0, result.output
    assert "已核验 1 件诉求、5 条办理记录、1 个审计检查点，未发现问题" in result.output


def test_deleting_the_last_two_entries_after_a_checkpoint_shows(app, database, appeal):
    checkpoint()
    ids = [event_of(database, appeal, seq).id for seq in (4, 5)]
    tamper(database, "DELETE FROM appeal_events WHERE id IN (:a, :b)", a=ids[0], b=ids[1])
    result = run(app)
    assert result.exit_code == 1
    assert f"诉求 {appeal}：第 5 条记录缺失：已签名的检查点记录到此条，日志末尾被删除" in result.output


def test_a_growing_log_is_signed_again_and_truncation_shows_against_the_newest_head(app, client, world, database,
                                                                                      appeal):
    checkpoint()
    _, operator = world.user("operator")
    client.get(f"/api/v1/appeals/{appeal}", headers=operator)
    assert checkpoint() == 1
    tamper(database, "DELETE FROM appeal_events WHERE id = :id", id=event_of(database, appeal, 6).id)
    assert f"诉求 {appeal}：第 6 条记录缺失" in run(app).output


def _rewrite(database, number, seq, digest, **changes):
    """Change entry `seq` and recompute every later hash with `digest`, as a forger would."""
    events = [SimpleNamespace(**{c.name: getattr(e, c.name) for c in AppealEvent.__table__.columns})
              for e in _rows(database, number)]
    previous = events[seq - 2].hash if seq > 1 else GENESIS
    for event in events[seq - 1:]:
        if event.seq == seq:
            vars(event).update(changes)
        event.prev_hash = previous
        event.hash = previous = digest(event)
        tamper(database, "UPDATE appeal_events SET actor = :actor, actor_id = :actor_id, prev_hash = :prev, "
                         "hash = :hash WHERE id = :id",
               actor=event.actor, actor_id=event.actor_id, prev=event.prev_hash, hash=event.hash, id=event.id)


@pytest.mark.parametrize("digest", [legacy_digest, lambda event: event_digest(event, b"a guessed key, not the real one")],
                         ids=["unkeyed", "other-key"])
def test_rewriting_a_disclosure_with_recomputed_hashes_shows(app, database, appeal, digest):
    """The handler's disclosure (seq 3) rewritten as an operator's, later hashes recomputed without the key."""
    disclosure = event_of(database, appeal, 3)
    assert disclosure.action == "disclose"
    operator = event_of(database, appeal, 4)
    _rewrite(database, appeal, 3, digest, actor=operator.actor, actor_id=operator.actor_id)
    result = run(app)
    assert result.exit_code == 1
    for seq in (3, 4, 5):
        assert f"诉求 {appeal}：第 {seq} 条记录内容被篡改（哈希不符）" in result.output


def _drop_checkpoint(database, checkpoint_id):
    database.session.execute(text("DELETE FROM audit_checkpoint_heads WHERE checkpoint_id = :id"), {"id": checkpoint_id})
    database.session.execute(text("DELETE FROM audit_checkpoints WHERE id = :id"), {"id": checkpoint_id})
    database.session.expire_all()


def test_checkpoints_chain_a_removed_or_edited_one_shows(app, client, world, database, appeal):
    _, operator = world.user("operator")
    ids = []
    for _ in range(3):
        checkpoint()
        ids.append(database.session.scalar(select(AuditCheckpoint.id).order_by(AuditCheckpoint.id.desc())))
        client.get(f"/api/v1/appeals/{appeal}", headers=operator)
    database.session.execute(text("UPDATE audit_checkpoint_heads SET seq = seq - 1 WHERE checkpoint_id = :id"),
                             {"id": ids[2]})
    _drop_checkpoint(database, ids[1])
    result = run(app)
    assert result.exit_code == 1
    assert f"审计检查点 {ids[2]}：与前一个检查点不相接（中间的检查点被删除）" in result.output
    assert f"审计检查点 {ids[2]}：签名不符" in result.output


def test_removing_the_newest_checkpoint_leaves_old_entries_unanchored(app, database, appeal, monkeypatch):
    checkpoint()
    _drop_checkpoint(database, database.session.scalar(select(AuditCheckpoint.id)))
    tamper(database, "DELETE FROM appeal_events WHERE id = :id", id=event_of(database, appeal, 5).id)
    assert run(app).exit_code == 0  # entries younger than MAX_AGE: the job may not have run yet
    monkeypatch.setattr(verify_module, "MAX_AGE", timedelta(0))
    result = run(app)
    assert result.exit_code == 1
    assert "最新审计检查点：之后的 4 条办理记录已超过 0 分钟仍没有签名检查点" in result.output


def test_migration_rekeys_legacy_entries_and_reports_what_was_reported_before(app, database, appeal, client, world):
    """Entries hashed before the log was keyed verify after the upgrade; one altered before is
    reported after as before, and nothing else."""
    _, operator = world.user("operator")
    broken = client.post("/api/v1/appeals", json=appeal_body(), headers=operator).get_json()["number"]
    client.get(f"/api/v1/appeals/{broken}", headers=operator)
    for number in (appeal, broken):  # back to the unkeyed hashes of the release before
        _rewrite(database, number, 1, legacy_digest)
    tamper(database, "UPDATE appeal_events SET reason = '改过' WHERE id = :id", id=event_of(database, broken, 1).id)
    postgres = database.session.get_bind().dialect.name == "postgresql"
    if postgres:
        database.session.execute(text("ALTER TABLE appeal_events DISABLE TRIGGER appeal_events_append_only"))
    assert rekey(database.session.connection(), legacy_digest, app.config["AUDIT_KEY"].encode()) == (6, 1)
    if postgres:
        database.session.execute(text("ALTER TABLE appeal_events ENABLE TRIGGER appeal_events_append_only"))
    database.session.expire_all()
    result = run(app)
    assert result.exit_code == 1
    assert f"诉求 {broken}：第 1 条记录内容被篡改（哈希不符）" in result.output
    assert "发现 1 处问题" in result.output


def test_the_periodic_job_audit_checkpoint_signs_the_heads(database, appeal):
    from jobs.periodic import PERIODIC, Periodic, run_periodic

    assert Periodic("audit-checkpoint", "audit_checkpoint", interval=300) in PERIODIC
    run_periodic("audit-checkpoint")
    head = database.session.scalar(select(AuditCheckpointHead))
    assert (head.seq, head.hash) == (5, event_of(database, appeal, 5).hash)


def test_rekey_replaces_the_audit_key_after_verifying_under_the_old_one(app, database, appeal, monkeypatch):
    checkpoint()
    old = app.config["AUDIT_KEY"]
    monkeypatch.setitem(app.config, "AUDIT_KEY", "a-new-audit-key-0123456789abcdefghijklmnop")
    assert "签名不符" in run(app).output  # the new key does not fit yet
    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit", "rekey"], env={"OLD_AUDIT_KEY": ""}).exit_code == 2
    done = runner.invoke(args=["audit", "rekey"], env={"OLD_AUDIT_KEY": old})
    assert done.exit_code == 0, done.output
    assert "已用新密钥重新计算 5 条办理记录的哈希并重新签署检查点" in done.output
    database.session.expire_all()
    result = run(app)
    assert result.exit_code == 0, result.output
    assert "1 个审计检查点，未发现问题" in result.output


def test_rekey_refuses_a_log_that_does_not_verify_under_the_old_key(app, database, appeal, monkeypatch):
    tamper(database, "UPDATE appeal_events SET reason = '改过' WHERE id = :id", id=event_of(database, appeal, 2).id)
    old = app.config["AUDIT_KEY"]
    monkeypatch.setitem(app.config, "AUDIT_KEY", "a-new-audit-key-0123456789abcdefghijklmnop")
    refused = app.test_cli_runner().invoke(args=["audit", "rekey"], env={"OLD_AUDIT_KEY": old})
    assert refused.exit_code == 1
    assert "用旧密钥核验时发现问题，未更换密钥" in refused.output and "第 2 条记录内容被篡改" in refused.output
    monkeypatch.setitem(app.config, "AUDIT_KEY", old)
    assert "第 3 条" not in run(app).output  # nothing was re-hashed
