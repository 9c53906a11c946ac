"""`flask audit verify`: exit status 1 when any entry of the event log was altered or removed."""
import sys
from datetime import datetime

import click
from flask.cli import with_appcontext

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
    for problem in report.problems:
        click.echo(problem.describe())
    if number is not None and report.appeals == 0:
        click.echo(f"未找到诉求 {number}", err=True)
        sys.exit(2)
    summary = f"已核验 {report.appeals} 件诉求、{report.events} 条办理记录、{report.checkpoints} 个审计检查点"
    if report.problems:
        click.echo(f"{summary}，发现 {len(report.problems)} 处问题", err=True)
        sys.exit(1)
    click.echo(f"{summary}，未发现问题")
