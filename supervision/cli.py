"""`flask sla scan`: the SLA scan once, a command of the `sla` group (added by supervision.init_app)."""
import click

from supervision.scan import scan as run_scan


@click.command("scan")
def scan():
    """亮灯扫描一次（通常由定时任务执行）。"""
    result = run_scan()
    click.echo(f"变红 {result['red']} 件，变黄 {result['yellow']} 件，新督办单 {result['supervise']} 件")
