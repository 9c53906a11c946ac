"""`flask jobs …`: the worker, the periodic scheduler and a one-off outbox sweep."""
import click
from flask.cli import with_appcontext

from jobs import outbox, periodic, worker
from jobs.connection import outlive_redis_outages

jobs = click.Group("jobs", help="后台任务")


@jobs.command("worker")
@click.option("--burst", is_flag=True, help="处理完队列中的任务后退出")
@with_appcontext
def worker_command(burst):
    """运行 RQ 工作进程。"""
    outlive_redis_outages(lambda: worker.work(burst=burst))


@jobs.command("scheduler")
@with_appcontext
def scheduler_command():
    """运行周期任务调度（补发未派发的任务等）。"""
    outlive_redis_outages(lambda: periodic.scheduler().start())


@jobs.command("sweep")
@with_appcontext
def sweep_command():
    """立即补发所有已提交但未处理的任务。"""
    click.echo(f"已补发 {outbox.sweep()} 个任务")
