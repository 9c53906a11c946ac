"""`flask routing import-history`: a city's past work orders become routing examples."""
import csv
import json

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from kernel.db import db
from models import RoutingExample, UnitAlias
from routing import jobs, store
from routing.knowledge import Correction
from tests.routing.test_service import WAGES, add_table, fresh_cache  # noqa: F401

ROWS = [
    {"text": WAGES, "unit": "市人社局", "urgency": "urgent"},
    {"text": "营业执照地址变更怎么办理，需要带哪些材料", "unit": "市场监管", "urgency": ""},
    {"text": "园区企业申报专精特新需要什么条件", "unit": "市工信局", "urgency": "一般"},
]


def run(app, *args):
    return app.test_cli_runner().invoke(args=["routing", "import-history", "--city", "金昌", *args])


@pytest.fixture
def alias(world):
    db.session.add(UnitAlias(city_id=world.city.id, unit_id=world.units["市市场监管局"].id, alias="市场监管"))
    db.session.commit()


def write(tmp_path, suffix, rows, columns=("text", "unit", "urgency")):
    path = tmp_path / f"history{suffix}"
    if suffix == ".csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    elif suffix == ".xlsx":
        book = Workbook()
        book.active.append(list(columns))
        for row in rows:
            book.active.append([row.get(c) for c in columns])
        book.save(path)
    else:
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return str(path)


def stored(world):
    return db.session.execute(select(RoutingExample.text, RoutingExample.unit_id, RoutingExample.urgency,
                                     RoutingExample.source).order_by(RoutingExample.id)).all()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl"])
def test_each_format_is_imported_with_units_by_name_or_alias(app, world, alias, tmp_path, suffix):
    result = run(app, write(tmp_path, suffix, ROWS))
    assert result.exit_code == 0, result.output
    assert "导入历史工单 3 条" in result.output
    units = world.units
    assert stored(world) == [(WAGES, units["市人社局"].id, "urgent", "history"),
                             (ROWS[1]["text"], units["市市场监管局"].id, None, "history"),
                             (ROWS[2]["text"], units["市工信局"].id, "normal", "history")]
    # the next version is asked for
    assert not jobs.request_retrain(world.city.id)


@pytest.mark.parametrize("suffix, lines", [(".csv", (3, 5, 6)), (".xlsx", (3, 5, 6)), (".jsonl", (2, 4, 5))])
def test_bad_rows_are_reported_by_line_and_nothing_is_imported(app, world, tmp_path, suffix, lines):
    rows = [ROWS[0], {"text": "", "unit": "市人社局"}, ROWS[2], {"text": "某事项", "unit": "市交通局"},
            {"text": "某事项二", "unit": "各县区", "urgency": "很急"}]
    result = run(app, write(tmp_path, suffix, rows))
    assert result.exit_code == 1
    first, unknown, placeholder = lines
    assert f"第{first}行：缺少诉求内容（text）" in result.output
    assert f"第{unknown}行：本市没有单位「市交通局」" in result.output
    assert f"第{placeholder}行：「各县区」不能作为承办单位" in result.output
    assert "3 行有误，未导入任何一行" in result.output
    assert stored(world) == []


def test_unknown_alias_is_a_bad_row(app, world, tmp_path):
    result = run(app, write(tmp_path, ".jsonl", [{"text": WAGES, "unit": "劳动局"}]))
    assert result.exit_code == 1 and "第1行：本市没有单位「劳动局」" in result.output


def test_skip_bad_imports_the_good_rows(app, world, tmp_path):
    rows = [ROWS[0], {"text": "某事项", "unit": "市交通局"}, ROWS[2], {"text": "x", "unit": "市工信局", "urgency": "很急"}]
    result = run(app, "--skip-bad", write(tmp_path, ".jsonl", rows))
    assert result.exit_code == 0, result.output
    assert "第2行：本市没有单位「市交通局」" in result.output and "第4行：未知紧急程度「很急」" in result.output
    assert "导入历史工单 2 条，跳过有误 2 条" in result.output
    assert [r.text for r in stored(world)] == [WAGES, ROWS[2]["text"]]


def test_a_second_import_of_the_same_rows_adds_nothing(app, world, alias, tmp_path):
    path = write(tmp_path, ".csv", ROWS)
    run(app, path)
    result = run(app, path)
    assert "导入历史工单 0 条，跳过有误 0 条、已导入过的重复 3 条" in result.output
    assert len(stored(world)) == 3


@pytest.mark.parametrize("content, message", [
    ("text,lead\nabc,市人社局\n", "缺少列：unit"),
    ("not json\n", "第1行：不是有效的 JSON 对象"),
])
def test_unreadable_files_and_rows(app, world, tmp_path, content, message):
    path = tmp_path / ("h.csv" if content.startswith("text") else "h.jsonl")
    path.write_text(content, encoding="utf-8")
    result = run(app, str(path))
    assert result.exit_code == 1 and message in result.output


def test_other_file_types_are_refused(app, world, tmp_path):
    path = tmp_path / "h.txt"
    path.write_text("x", encoding="utf-8")
    assert "不支持的文件类型「.txt」" in run(app, str(path)).output


def test_retraining_sees_the_history_before_the_corrections(app, world, alias, tmp_path):
    add_table(world)
    run(app, write(tmp_path, ".jsonl", ROWS))
    corrections = store.training(world.city.id).kb.corrections
    assert corrections == [Correction(WAGES, "市人社局", "urgent"), Correction(ROWS[1]["text"], "市市场监管局"),
                           Correction(ROWS[2]["text"], "市工信局", "normal")]
    built = jobs.build_version(world.city.id, always_activate=True)
    assert built.row.corrections == 3
    # a unit that leaves the table leaves the training data with it
    world.units["市工信局"].routable = False
    db.session.flush()
    assert len(store.training(world.city.id).kb.corrections) == 2
