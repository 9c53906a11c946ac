"""`flask audit verify`: exit status 1 when any entry of the event log was altered or removed;
`flask audit rekey`: replace AUDIT_KEY."""
import os
import sys
from datetime import datetime

import click
from flask.cli import with_appcontext

from audit.checkpoints import checkpoint
from audit.rekey import rotate_key
from audit.verify import verify

audit = click.Group("audit", help="审计")


def _moment(ctx, param, value: str | None) -> datetime | None:
    """An ISO 8601 time with its zone (a restore point is given in local time, so never guessed)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"「{value}」不是有效的时间，应为 2026-11-22T09:00:00+08:00 这样的格式") from None
    if moment.tzinfo is None:
        raise click.BadParameter("请带上时区，如 2026-11-22T09:00:00+08:00")
    return moment


@audit.command("verify")
@click.option("--city", help="只核验该城市的诉求，如 金昌")
@click.option("--appeal", "number", help="只核验该受理编号的诉求")
@click.option("--as-of", "as_of", callback=_moment, metavar="时间",
              help="按该时刻核验检查点是否及时，如 2026-11-22T09:00:00+08:00；恢复的副本用其恢复时间点（默认：现在）")
@with_appcontext
def verify_command(city, number, as_of):
    """重新计算每件诉求办理记录的哈希链并核对已签名的检查点，报告被篡改、断链、缺失或被截断的记录。"""
    report = verify(city=city, number=number, as_of=as_of)
    _report(report, number)
    click.echo(_summary(report) + "，未发现问题")


def _summary(report) -> str:
    return f"已核验 {report.appeals} 件诉求、{report.events} 条办理记录、{report.checkpoints} 个审计检查点"


def _report(report, number=None) -> None:
    """Print the problems; exit 1 when there are any (2: the one appeal asked for does not exist)."""
    for problem in report.problems:
        click.echo(problem.describe())
    if number is not None and report.appeals == 0:
        click.echo(f"未找到诉求 {number}", err=True)
        sys.exit(2)
    if report.problems:
        click.echo(f"{_summary(report)}，发现 {len(report.problems)} 处问题", err=True)
        sys.exit(1)


@audit.command("rekey")
@click.option("--old-key-env", default="OLD_AUDIT_KEY", show_default=True, help="存放旧 AUDIT_KEY 的环境变量名")
@with_appcontext
def rekey_command(old_key_env):
    """更换 AUDIT_KEY：先用旧密钥核验全部日志和检查点，无误后用新密钥（AUDIT_KEY）重新计算哈希、重新签署检查点。

    须先停止所有进程（docs/operations.md）。
    """
    old_key = os.environ.get(old_key_env, "").strip()
    if not old_key:
        click.echo(f"请在环境变量 {old_key_env} 中提供旧的 AUDIT_KEY", err=True)
        sys.exit(2)
    checkpoint(old_key.encode())  # the last heads under the old key, so that nothing is left unanchored
    report = verify(key=old_key.encode())
    if report.problems:
        click.echo("用旧密钥核验时发现问题，未更换密钥：", err=True)
    _report(report)
    done, _ = rotate_key(old_key.encode())
    click.echo(f"已用新密钥重新计算 {done} 条办理记录的哈希并重新签署检查点")
