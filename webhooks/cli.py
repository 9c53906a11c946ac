"""`flask webhooks …`: the worker of the webhook queue, and a one-off delivery sweep."""
import click
from flask.cli import with_appcontext

from app.extensions import db
from jobs.connection import outlive_redis_outages, redis_connection
from jobs.worker import AppWorker
from webhooks import delivery

webhooks = click.Group("webhooks", help="Webhook 推送")


@webhooks.command("worker")
@click.option("--burst", is_flag=True, help="处理完队列中的推送后退出")
@with_appcontext
def worker_command(burst):
    """运行 Webhook 推送工作进程（与受理、分拨的队列分开，慢的接收方不影响它们）。"""
    db.engine.dispose()

    def work():
        worker = AppWorker([delivery.webhook_queue()], connection=redis_connection())
        return worker.work(burst=burst, with_scheduler=True, logging_level="INFO")

    outlive_redis_outages(work)


@webhooks.command("sweep")
@with_appcontext
def sweep_command():
    """立即补发所有到期未发送的推送。"""
    click.echo(f"已补发 {delivery.sweep()} 个推送")
