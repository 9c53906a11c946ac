"""`flask privacy rotate-keys`: re-encrypt complainant data and partner and subscription secrets
under the newest DATA_KEYS entry; `flask privacy rotate-index-key`: re-hash the lookup columns
under NEW_INDEX_KEY; `flask privacy check-keys`: do the configured keys decrypt and find the
stored data. The rotations check every stored value first and change nothing when one does not
decrypt."""
import os
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from kernel.db import db
from kernel.settings import secret_problem
from privacy.check import check_keys
from privacy.rotation import INDEXED, encrypted_columns, rehash_table, rotate_table, undecryptable

privacy = click.Group("privacy", help="个人信息保护")
BATCH_SIZE = click.option("--batch-size", default=500, show_default=True, help="每个事务处理的行数")


def _refuse(message: str):
    click.echo(message, err=True)
    sys.exit(1)


def _require_decryptable(batch_size: int) -> None:
    problems = [p for table in db.metadata.sorted_tables for p in undecryptable(db.engine, table, batch_size)]
    for problem in problems[:20]:
        click.echo(problem, err=True)
    if problems:
        _refuse(f"{len(problems)} 个加密值无法用当前 DATA_KEYS 解密，未做任何改动：轮换期间旧密钥必须留在 "
                "DATA_KEYS 中（新密钥在前、旧密钥在后）")


@privacy.command("rotate-keys")
@BATCH_SIZE
@with_appcontext
def rotate_keys_command(batch_size):
    """用 DATA_KEYS 中的第一个（最新）密钥重新加密所有加密字段（投诉人姓名和电话、合作平台和订阅的密钥）。

    步骤：把新密钥加到 DATA_KEYS 最前面并重启所有进程，运行本命令直到报告 0，再删去旧密钥。
    可随时中断后重新运行。
    """
    if not os.environ.get("DATA_KEYS", "").strip():
        _refuse("环境变量中没有 DATA_KEYS，未做任何改动：请在设置了「新密钥,旧密钥」的 DATA_KEYS 的环境中运行"
                "（与各进程相同，见 docs/operations.md「Key rotation」）")
    _require_decryptable(batch_size)
    total = 0
    for table in db.metadata.sorted_tables:
        if not encrypted_columns(table):
            continue
        count = rotate_table(db.engine, table, batch_size=batch_size)
        click.echo(f"{table.name}：重新加密 {count} 个值")
        total += count
    click.echo(f"共重新加密 {total} 个值" + ("；全部数据已使用最新密钥，可以删去旧密钥" if total == 0 else ""))


@privacy.command("rotate-index-key")
@BATCH_SIZE
@with_appcontext
def rotate_index_key_command(batch_size):
    """用环境变量 NEW_INDEX_KEY 重算所有检索哈希（投诉人电话）。

    先停止所有进程；完成后把各进程的 INDEX_KEY 换成 NEW_INDEX_KEY 的值再启动。可中断后重新运行。
    """
    new_key = os.environ.get("NEW_INDEX_KEY", "").strip()
    if problem := secret_problem("NEW_INDEX_KEY", new_key):
        _refuse(f"{problem}，未做任何改动（生成方法见 docs/operations.md「Keys」）")
    if new_key == current_app.config["INDEX_KEY"]:
        _refuse("NEW_INDEX_KEY 与当前的 INDEX_KEY 相同，未做任何改动")
    _require_decryptable(batch_size)
    total = 0
    for table, source, target, purpose in INDEXED:
        count = rehash_table(db.engine, db.metadata.tables[table], source, target, purpose, new_key.encode(),
                             batch_size=batch_size)
        click.echo(f"{table}.{target}：重算 {count} 个检索哈希")
        total += count
    click.echo(f"共重算 {total} 个检索哈希；现在把所有进程的 INDEX_KEY 换成 NEW_INDEX_KEY 的值，再启动服务")


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
