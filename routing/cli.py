"""`flask routing train|predict|evaluate|versions|import-history --city NAME`."""
import json
import sys
import time

import click
from flask.cli import with_appcontext

from kernel.db import db
from models import City
from routing import jobs, service, store

routing = click.Group("routing", help="自动分拨模型")


def _city(name: str) -> City:
    city = store.city_named(name)
    if city is None:
        raise click.ClickException(f"没有城市「{name}」")
    return city


def _percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _training_bar(length: int):
    """On stderr, as the other commands' progress bars (predict keeps stdout for its JSON lines)."""
    return click.progressbar(length=length, label="训练模型", file=sys.stderr)


def _train(city: City, always_activate: bool, err: bool = False) -> jobs.Built:
    """err: report on stderr (predict keeps stdout for its JSON lines)."""
    started = time.monotonic()
    built = jobs.build_version(city.id, always_activate=always_activate, progress=_training_bar)
    if built is None:
        raise click.ClickException(f"{city.name}尚未导入任务分工表，请先运行 scripts/manage tables import")
    db.session.commit()
    row = built.row
    state = "已启用" if row.active else "未启用（在留出纠正上不如当前版本）"
    click.echo(f"{city.name} 分拨模型第 {row.version} 版{state}，用时 {time.monotonic() - started:.1f} 秒", err=err)
    click.echo(f"  训练数据：可分拨单位 {row.units} 个，事项 {row.matters} 条，派单员纠正 {row.corrections} 条", err=err)
    if row.held_back:
        click.echo(f"  留出纠正 {row.held_back} 条上的首选准确率：新版本 {_percent(row.scores['new_top1'])}，"
                   f"原版本 {_percent(row.scores['old_top1'])}", err=err)
    else:
        click.echo("  留出纠正 0 条：纠正不足，未做留出评估", err=err)
    click.echo(f"  置信阈值 {row.threshold:.2f}；模型 {len(row.blob) / 1e6:.1f} MB", err=err)
    return built


def _model(city: City):
    loaded = service.model_for(city.id)
    if loaded is None:
        _train(city, always_activate=True, err=True)
        loaded = service.model_for(city.id)
    return loaded.model


def _records(stream, city: str) -> list[dict]:
    records = []
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise click.ClickException(f"第{number}行不是有效的 JSON") from None
        if not isinstance(record, dict) or "id" not in record or not isinstance(record.get("text"), str):
            raise click.ClickException(f"第{number}行缺少 id 或 text")
        if record.get("city", city) == city:
            records.append(record)
    return records


@routing.command("train")
@click.option("--city", "city_name", required=True, help="城市名称，如 金昌")
@with_appcontext
def train_command(city_name):
    """用当前任务分工表和全部派单员纠正训练新版本并启用，输出规模和留出评估结果。"""
    _train(_city(city_name), always_activate=True)


@routing.command("predict")
@click.option("--city", "city_name", required=True, help="城市名称")
@with_appcontext
def predict_command(city_name):
    """从标准输入逐行读取 {"id","text"} JSON，逐行输出分拨结果（该城市尚无模型时先训练）。"""
    from routing.evaluate import predict_records  # scikit-learn: only in the commands that predict

    city = _city(city_name)
    records = _records(sys.stdin, city.name)
    model = _model(city)
    for line in predict_records(model, records):
        click.echo(json.dumps(line, ensure_ascii=False))


@routing.command("evaluate")
@click.option("--city", "city_name", required=True, help="城市名称")
@click.option("--corpus", "part", type=click.Choice(["validation", "train"]), default=None,
              help="在起步语料的验证集（或训练集）上评估，按本市单位名册映射出应承办单位")
@click.argument("path", type=click.Path(exists=True, dir_okay=False), required=False)
@with_appcontext
def evaluate_command(city_name, part, path):
    """在带标注的诉求文件（JSONL：text、gold_lead、acceptable、urgency）或起步语料上评估当前模型。"""
    from routing import corpus
    from routing.evaluate import evaluate, predict_records

    if (part is None) == (path is None):
        raise click.ClickException("请给出标注文件路径或 --corpus 之一")
    city = _city(city_name)
    data = store.training(city.id)
    if part is not None:
        if data is None:
            raise click.ClickException(f"{city.name}尚未导入任务分工表，请先运行 flask tables import")
        records = corpus.city_records(data.kb, corpus.part(part))
    else:
        with open(path, encoding="utf-8") as stream:
            records = [r for r in _records(stream, city.name) if "gold_lead" in r]
    if not records:
        raise click.ClickException(f"文件中没有{city.name}的带标注诉求")
    model = _model(city)
    names = store.training(city.id).kb.canonical()
    started = time.monotonic()
    figures = evaluate(records, predict_records(model, records), names=names)
    seconds = time.monotonic() - started
    click.echo(f"{city.name}：{figures['n']} 条诉求（{seconds / figures['n'] * 1000:.0f} 毫秒/条）")
    for label, key in (("首选正确率 top-1", "top1"), ("前三命中率 top-3", "top3"),
                       ("分拨正确率（主办为标注单位或可接受单位）", "accuracy"), ("宏平均 F1", "macro_f1"),
                       ("人工分拨率", "manual_rate"), ("自动分拨率", "auto_rate"),
                       ("自动分拨准确率", "auto_precision"), ("紧急程度准确率", "urgency_accuracy")):
        click.echo(f"  {label}：{_percent(figures[key])}")
    click.echo(f"  紧急诉求被判为一般或咨询：{figures['emergencies_missed']} 条")
    click.echo(f"  紧急诉求被自动分拨给非应承办单位：{figures['emergencies_misrouted']} 条")
    if part is not None:
        click.echo(f"  危及生命未提示三台联动：{figures['life_missed']} 条")
        click.echo(f"  作风投诉被自动分拨给被投诉单位：{figures['accused_auto']} 条")
        click.echo(f"  自动指定协办单位：{figures['assisting_assigned']} 个，其中为第二事项应承办单位"
                   f" {figures['assisting_right']} 个")


@routing.command("versions")
@click.option("--city", "city_name", required=True, help="城市名称")
@with_appcontext
def versions_command(city_name):
    """列出该城市的模型版本、训练数据规模和留出评估结果。"""
    for row in store.versions(_city(city_name).id):
        flag = "当前" if row.active else ("已接受" if row.accepted else "未接受")
        click.echo(f"第 {row.version} 版（{flag}）{row.created_at:%Y-%m-%d %H:%M} UTC：单位 {row.units}，事项 {row.matters}，"
                   f"纠正 {row.corrections}（留出 {row.held_back}），新/原 top-1 {_percent(row.scores.get('new_top1'))}"
                   f"/{_percent(row.scores.get('old_top1'))}，阈值 {row.threshold:.2f}")


BAD_ROWS_SHOWN = 50


@routing.command("import-history")
@click.option("--city", "city_name", required=True, help="城市名称")
@click.option("--skip-bad", is_flag=True, help="跳过有误的行，导入其余各行（默认有误即不导入）")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_history_command(city_name, skip_bad, path):
    """导入历史工单（.csv、.xlsx、.jsonl；列 text、unit 必填，unit 为本市单位名称或别名，urgency 可选），供下次训练使用。"""
    from routing import history

    city = _city(city_name)
    try:
        rows = history.read_rows(path)
    except history.HistoryError as error:
        raise click.ClickException(str(error)) from None
    with click.progressbar(length=len(rows), label="检查各行", file=sys.stderr) as bar:
        checked = history.check(city, rows, progress=bar)
    shown = checked.bad[:BAD_ROWS_SHOWN]
    for line, message in shown:
        click.echo(f"第{line}行：{message}", err=True)
    if len(checked.bad) > len(shown):
        click.echo(f"……另有 {len(checked.bad) - len(shown)} 行有误未列出", err=True)
    if checked.bad and not skip_bad:
        db.session.rollback()
        raise click.ClickException(f"{len(checked.bad)} 行有误，未导入任何一行；请修改后重试，或加 --skip-bad 跳过有误的行")
    count = history.store(checked)
    if count:
        jobs.request_retrain(city.id)
    db.session.commit()
    click.echo(f"{city.name}：导入历史工单 {count} 条，跳过有误 {len(checked.bad)} 条、已导入过的重复 {checked.repeated} 条")
    if count:
        click.echo(f"已安排重新训练；也可立即运行 flask routing train --city {city.name}")
