"""`flask tables import PATH --city NAME` and `flask tables show --city NAME [--json]`."""
import json
import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from kernel.db import db
from models import City
from tables.importer import CityError, ImportReport, import_table
from tables.model import TableError
from tables.queries import knowledge, table_json

tables = click.Group("tables", help="任务分工表")


@tables.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--city", "city_name", required=True, help="城市名称，如 金昌；新城市会被创建")
@click.option("--code", default=None, help="新城市的受理编号前缀（大写字母，如 JC）；已知城市可不填")
@with_appcontext
def import_command(path, city_name, code):
    """导入 PATH（.txt/.tsv/.xlsx/.docx）为该城市任务分工表的新版本。"""
    try:
        report = import_table(city_name, path, code, progress=_bar)
    except (TableError, CityError) as error:
        db.session.rollback()
        raise click.ClickException(f"导入失败：{error}") from None
    db.session.commit()
    for line in report_lines(report):
        click.echo(line)


def _bar(matters: list):
    """The matters as they are written, with a progress bar on stderr (a large table takes a while)."""
    with click.progressbar(matters, label="写入事项", file=sys.stderr) as bar:
        yield from bar


def report_lines(report: ImportReport) -> list[str]:
    lines = [
        f"{report.city} 任务分工表第 {report.version} 版（{report.source}，格式 {report.shape}）",
        f"事项 {report.rows} 条；单位 {report.units} 个，其中可分拨 {report.routable} 个",
        f"表中写明牵头单位 {report.leads_found} 条；未写明、默认取首个单位 {report.leads_default} 条"
        + (f"；沿用管理员修改的牵头单位 {report.leads_corrected} 条" if report.leads_corrected else ""),
    ]
    for label, names in (("新增单位", report.new_units), ("停用单位", report.retired_units),
                         ("恢复单位", report.revived_units)):
        if names:
            lines.append(f"{label} {len(names)} 个：{'、'.join(names)}")
    lines.append(f"未能归入事项的行 {len(report.unplaced)} 行" + ("：" if report.unplaced else ""))
    lines += [f"  第{u.line}行：{u.text}" for u in report.unplaced]
    return lines


@tables.command("show")
@click.option("--city", "city_name", required=True, help="城市名称")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@with_appcontext
def show_command(city_name, as_json):
    """显示该城市当前版本的任务分工表：单位名册和事项。"""
    city = db.session.scalar(select(City).where(City.name == city_name))
    if city is None:
        raise click.ClickException(f"没有城市「{city_name}」")
    stored = knowledge(city.id)
    if stored is None:
        raise click.ClickException(f"{city_name}尚未导入任务分工表")
    if as_json:
        click.echo(json.dumps(table_json(stored), ensure_ascii=False, indent=2))
        return
    click.echo(f"{stored.city} 任务分工表第 {stored.version} 版（{stored.source}）")
    click.echo(f"单位 {len(stored.units)} 个：")
    for unit in stored.units:
        flag = "可分拨" if unit.routable else "不分拨"
        click.echo(f"  {unit.name}（{unit.kind}，{flag}）" + (f" 别名：{'、'.join(unit.aliases)}" if unit.aliases else ""))
    click.echo(f"事项 {len(stored.matters)} 条：")
    for m in stored.matters:
        number = "".join(x for x in (m.part, m.number and f"第{m.number}项") if x)
        leads = "、".join(m.lead_units) or "（无）"
        mark = "（默认）" if m.lead_is_default else ""
        click.echo(f"  {number} 第{m.lines[0]}-{m.lines[1]}行 牵头：{leads}{mark}"
                   + (f" 配合：{'、'.join(m.assisting_units)}" if m.assisting_units else ""))
