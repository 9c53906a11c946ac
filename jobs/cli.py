"""`flask jobs …`: the worker (of the main queue, or `--queue training`), the periodic scheduler,
a one-off outbox sweep, and the outbox's dead letters."""
import click
from flask.cli import with_appcontext

from jobs import outbox, periodic, worker
from jobs.connection import QUEUES, outlive_redis_outages, queue
from kernel.db import db

jobs = click.Group("jobs", help="后台任务")


@jobs.command("worker")
@click.option("--burst", is_flag=True, help="处理完队列中的任务后退出")
@click.option("--queue", "queues", multiple=True, type=click.Choice(sorted(QUEUES)), default=["main"],
              show_default=True, help="处理的队列：main（派单等）或 training（重新训练分拨模型，耗时长，"
                                      "由单独的工作进程处理）；可重复，按先后优先")
@with_appcontext
def worker_command(burst, queues):
    """运行 RQ 工作进程。"""
    outlive_redis_outages(lambda: worker.work([queue(name) for name in queues], burst=burst))


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


@jobs.command("dead")
@with_appcontext
def dead_command():
    """列出多次失败后停止重试的任务（死信）。"""
    messages = outbox.dead_letters()
    for m in messages:
        error = (m.last_error or "").splitlines()[0] if m.last_error else ""
        click.echo(f"{m.id}\t{m.job}\t参数 {m.args}\t失败 {m.attempts} 次\t"
                   f"停止于 {m.dead_at:%Y-%m-%d %H:%M:%S} UTC\t{error}")
    click.echo(f"共 {len(messages)} 个死信任务")


@jobs.command("retry")
@click.argument("message_ids", nargs=-1, type=int)
@click.option("--all", "every", is_flag=True, help="重试全部死信任务")
@with_appcontext
def retry_command(message_ids, every):
    """重新执行死信任务（清零失败次数）：给出任务编号，或 --all。"""
    if bool(message_ids) == every:
        raise click.UsageError("请给出任务编号，或使用 --all（二者选一）")
    put_back = outbox.retry(None if every else list(message_ids))
    db.session.commit()
    click.echo(f"已重新排队 {len(put_back)} 个任务" + (f"：{', '.join(map(str, put_back))}" if put_back else ""))
    missing = sorted(set(message_ids) - set(put_back))
    if missing:
        click.echo(f"以下编号不是死信任务，未处理：{', '.join(map(str, missing))}", err=True)
