"""`flask webhooks …`: the worker of the webhook queue, and a one-off delivery sweep."""
import click
from flask.cli import with_appcontext

from jobs import worker
from jobs.connection import outlive_redis_outages
from webhooks import delivery

webhooks = click.Group("webhooks", help="Webhook 推送")


@webhooks.command("worker")
@click.option("--burst", is_flag=True, help="处理完队列中的推送后退出")
@with_appcontext
def worker_command(burst):
    """运行 Webhook 推送工作进程（与受理、分拨的队列分开，慢的接收方不影响它们）。"""
    outlive_redis_outages(lambda: worker.work([delivery.webhook_queue()], burst=burst))


@webhooks.command("sweep")
@with_appcontext
def sweep_command():
    """立即补发所有到期未发送的推送。"""
    click.echo(f"已补发 {delivery.sweep()} 个推送")
