"""`flask sla ...`: check a deadline, load a year's holiday notice (`flask sla scan`, which runs the
SLA scan once, is supervision's: supervision.cli, added to this group by supervision.init_app)."""
import json
from datetime import datetime

import click
from flask.cli import AppGroup
from sqlalchemy import select

from kernel.db import db
from models import City
from sla import service
from sla.calendar import CalendarError
from sla.notices import NoticeError, load_notice
from sla.rules import LIMIT_NAMES, URGENCIES, RuleError

sla = AppGroup("sla", help="时限：计算时限、导入节假日安排、亮灯扫描")
calendar = AppGroup("calendar", help="工作日日历")
sla.add_command(calendar)


@sla.command("due")
@click.option("--city", default=None, help="城市名称（使用该市规则和日历；不填则用默认规则和全国日历）")
@click.option("--urgency", required=True, type=click.Choice(list(URGENCIES)))
@click.option("--start", required=True, help="起算时间，ISO 格式；不带时区按北京时间")
@click.option("--limit", "limit_name", default="completion", type=click.Choice(LIMIT_NAMES), show_default=True)
def due(city, urgency, start, limit_name):
    """打印时限（北京时间）。"""
    city_id = None
    if city:
        city_id = db.session.scalar(select(City.id).where(City.name == city))
        if city_id is None:
            raise click.BadParameter(f"没有城市「{city}」", param_hint="--city")
    try:
        start_at = datetime.fromisoformat(start)
    except ValueError:
        raise click.BadParameter(f"{start!r} 不是 ISO 格式的时间", param_hint="--start") from None
    try:
        click.echo(service.due_for(city_id, urgency, start_at, limit_name).isoformat(sep=" "))
    except (CalendarError, RuleError) as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()


@calendar.command("load")
@click.argument("file", type=click.File(encoding="utf-8"))
def load(file):
    """导入一年的国务院办公厅节假日安排（JSON），并计算因此待定的时限。"""
    try:
        result = load_notice(json.load(file))
    except (ValueError, NoticeError) as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"{result['year']} 年：休息日 {result['days_off']} 天，调休上班 {result['working_days']} 天；"
               f"重新计算时限 {result['recomputed']} 件")
