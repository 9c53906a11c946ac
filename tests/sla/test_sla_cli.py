"""`flask sla due` and `flask sla calendar load`."""
import json

import pytest

from sla.cli import sla


@pytest.fixture
def run(app, world):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(sla, list(args))


@pytest.mark.parametrize("urgency, start, limit, printed", [
    ("normal", "2026-09-30T10:00", "completion", "2026-10-13 23:59:59"),
    ("normal", "2026-02-13T17:00", "completion", "2026-02-27 23:59:59"),  # Spring Festival 15-23 Feb, 14/28 work
    ("complex", "2025-01-24T09:00", "completion", "2025-02-20 23:59:59"),  # 2025 Spring Festival, 26 Jan/8 Feb work
    ("urgent", "2026-10-01T08:00", "accept", "2026-10-01 09:00:00"),
    ("emergency", "2025-01-28T22:00", "completion", "2025-01-29 22:00:00"),  # hours run through 春节
    ("consult", "2025-09-30T12:00", "completion", "2025-10-10 23:59:59"),  # 1-8 Oct off, 11 Oct works
])
def test_due_prints_the_deadline(run, urgency, start, limit, printed):
    result = run("due", "--city", "金昌", "--urgency", urgency, "--start", start, "--limit", limit)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == printed


def test_due_errors_are_clear(run):
    assert "2027" in run("due", "--urgency", "normal", "--start", "2026-12-30T09:00").output
    assert "ISO" in run("due", "--urgency", "normal", "--start", "明天").output
    assert "没有城市" in run("due", "--city", "火星", "--urgency", "normal", "--start", "2026-12-01T09:00").output
    assert "没有 first_response 时限" in run("due", "--urgency", "consult", "--start", "2026-12-01T09:00",
                                           "--limit", "first_response").output


def test_calendar_load(run, tmp_path):
    notice = tmp_path / "2027.json"
    notice.write_text(json.dumps({"year": 2027, "days_off": ["2027-01-01"], "working_days": []}), encoding="utf-8")
    result = run("calendar", "load", str(notice))
    assert result.exit_code == 0 and "2027 年：休息日 1 天" in result.output
    assert run("due", "--urgency", "normal", "--start", "2026-12-30T09:00").output.strip() == "2027-01-07 23:59:59"
    notice.write_text("{", encoding="utf-8")
    assert run("calendar", "load", str(notice)).exit_code == 1
