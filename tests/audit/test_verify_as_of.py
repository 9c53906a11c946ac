"""`flask audit verify --as-of`: a restored copy is judged at its restore point, where the newest
entries were not signed yet, not at the time of the drill (then it would always look truncated)."""
from datetime import timedelta

from audit.checkpoints import checkpoint
from models.base import utcnow
from tests.audit.test_checkpoints import appeal  # noqa: F401  (fixture)
from tests.audit.test_verify import run


def test_entries_after_the_newest_checkpoint_are_judged_as_of_the_given_time(app, client, world, appeal):  # noqa: F811
    checkpoint()
    _, operator = world.user("operator")
    assert client.get(f"/api/v1/appeals/{appeal}", headers=operator).status_code == 200  # a newer, unsigned entry
    dumped = utcnow()
    later = run(app, "--as-of", (dumped + timedelta(minutes=20)).isoformat())
    assert later.exit_code == 1 and "之后的 1 条办理记录已超过 15 分钟仍没有签名检查点" in later.output
    at_dump = run(app, "--as-of", dumped.isoformat())
    assert at_dump.exit_code == 0, at_dump.output
    assert run(app, "--as-of", (dumped + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S+08:00")).exit_code == 0


def test_as_of_needs_a_time_with_its_zone(app, database):
    for value, message in (("2026-11-22T09:00:00", "请带上时区"), ("上周一", "不是有效的时间")):
        result = run(app, "--as-of", value)
        assert result.exit_code == 2 and message in result.output
