"""`flask privacy rotate-keys`: re-encrypt complainant data under the newest DATA_KEYS entry;
`flask privacy check-keys`: do the configured keys decrypt and find the stored data."""
import sys

import click
from flask.cli import with_appcontext

from app.extensions import db
from privacy.check import check_keys
from privacy.rotation import encrypted_columns, rotate_table

privacy = click.Group("privacy", help="个人信息保护")


@privacy.command("rotate-keys")
@click.option("--batch-size", default=500, show_default=True, help="每个事务处理的行数")
@with_appcontext
def rotate_keys_command(batch_size):
    """用 DATA_KEYS 中的第一个（最新）密钥重新加密所有加密字段。

    步骤：把新密钥加到 DATA_KEYS 最前面并重启所有进程，运行本命令直到报告 0，再删去旧密钥。
    可随时中断后重新运行。
    """
    total = 0
    for table in db.metadata.sorted_tables:
        if not encrypted_columns(table):
            continue
        count = rotate_table(db.engine, table, batch_size=batch_size)
        click.echo(f"{table.name}：重新加密 {count} 个值")
        total += count
    click.echo(f"共重新加密 {total} 个值" + ("；全部数据已使用最新密钥，可以删去旧密钥" if total == 0 else ""))


@privacy.command("check-keys")
@click.option("--sample", default=50, show_default=True, help="每个加密字段核验的最新行数")
@with_appcontext
def check_keys_command(sample):
    """核验密钥：解密最新的加密数据、重算电话检索哈希；密钥不符时退出码为 1。

    部署时在启动服务之前运行（docs/operations.md）。
    """
    result = check_keys(sample)
    for problem in result.problems[:20]:
        click.echo(problem, err=True)
    summary = f"已解密 {result.decrypted} 个加密值、核验 {result.hashes} 个检索哈希"
    if result.problems:
        click.echo(f"{summary}，{len(result.problems)} 处与当前密钥不符：DATA_KEYS 或 INDEX_KEY 错误或缺失，"
                   "请勿启动服务，先换回正确的密钥", err=True)
        sys.exit(1)
    click.echo(f"{summary}，密钥正确")
