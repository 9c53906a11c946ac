"""A city's historical work orders as routing examples (`flask routing import-history`).

A file (.csv, .xlsx or .jsonl) has a row per past appeal: `text` and `unit` (a unit's name or
alias in the city) required, `urgency` optional (code or Chinese label). Every row is checked
before anything is stored; bad rows are reported with their line numbers. The stored examples
(`routing_examples`) train the next model version together with the dispatchers' corrections
(routing.store.training).
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from kernel.db import db
from kernel.vocabulary import URGENCY_LABELS
from models import City, RoutingExample, Unit, UnitAlias

FORMATS = (".csv", ".xlsx", ".jsonl")
REQUIRED = ("text", "unit")
MAX_TEXT = 5000
URGENCIES = {**{code: code for code in URGENCY_LABELS}, **{label: code for code, label in URGENCY_LABELS.items()}}


class HistoryError(ValueError):
    """A file that cannot be read at all (format, encoding, missing columns)."""


@dataclass(frozen=True)
class Row:
    line: int  # line (csv, jsonl) or row number (xlsx) in the file, 1-based
    values: dict


@dataclass(frozen=True)
class Checked:
    good: list[tuple[int, RoutingExample]]  # (line, example not yet added)
    bad: list[tuple[int, str]]  # (line, message)
    repeated: int  # rows identical to one stored before or earlier in the file


def read_rows(path: str) -> list[Row]:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise HistoryError(f"不支持的文件类型「{suffix or Path(path).name}」，请使用 .csv、.xlsx 或 .jsonl")
    try:
        rows = {".csv": _csv, ".xlsx": _xlsx, ".jsonl": _jsonl}[suffix](path)
    except UnicodeDecodeError:
        raise HistoryError("文件不是 UTF-8 编码，请另存为 UTF-8 后重试") from None
    return rows


def _need_columns(columns) -> None:
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise HistoryError(f"缺少列：{'、'.join(missing)}（须有 text 和 unit 两列，urgency 可选）")


def _csv(path: str) -> list[Row]:
    with open(path, encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        _need_columns([(name or "").strip() for name in reader.fieldnames or []])
        rows = []
        for record in reader:
            values = {(k or "").strip(): v for k, v in record.items()}
            rows.append(Row(reader.line_num, values))
        return rows


def _xlsx(path: str) -> list[Row]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as error:
        raise HistoryError(f"无法读取 Excel 文件：{error}") from None
    try:
        lines = book.worksheets[0].iter_rows(values_only=True)
        header = [str(cell).strip() if cell is not None else "" for cell in next(lines, ())]
        _need_columns(header)
        return [Row(number, {name: value for name, value in zip(header, cells) if name})
                for number, cells in enumerate(lines, 2) if any(cell is not None for cell in cells)]
    finally:
        book.close()


def _jsonl(path: str) -> list[Row]:
    rows = []
    with open(path, encoding="utf-8-sig") as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                values = json.loads(line)
            except json.JSONDecodeError:
                values = None
            rows.append(Row(number, values if isinstance(values, dict) else {"_invalid": True}))
    return rows


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def check(city: City, rows: list[Row], progress=None) -> Checked:
    """Each row resolved against the city's units (names and aliases); nothing is stored."""
    units = {u.name: u for u in db.session.scalars(select(Unit).where(Unit.city_id == city.id))}
    units.update((alias, unit) for alias, unit in db.session.execute(
        select(UnitAlias.alias, Unit).join(Unit, Unit.id == UnitAlias.unit_id).where(UnitAlias.city_id == city.id)))
    seen = {(text, unit_id) for text, unit_id in db.session.execute(
        select(RoutingExample.text, RoutingExample.unit_id).where(RoutingExample.city_id == city.id))}
    good, bad, repeated = [], [], 0
    for row in rows:
        if progress is not None:
            progress.update(1)
        problem, example = _example(city, row.values, units)
        if problem:
            bad.append((row.line, problem))
        elif (example.text, example.unit_id) in seen:
            repeated += 1
        else:
            seen.add((example.text, example.unit_id))
            good.append((row.line, example))
    return Checked(good, bad, repeated)


def _example(city: City, values: dict, units: dict[str, Unit]) -> tuple[str | None, RoutingExample | None]:
    if values.get("_invalid"):
        return "不是有效的 JSON 对象", None
    text, name, urgency = _text(values.get("text")), _text(values.get("unit")), _text(values.get("urgency"))
    if not text:
        return "缺少诉求内容（text）", None
    if len(text) > MAX_TEXT:
        return f"诉求内容超过{MAX_TEXT}字", None
    if not name:
        return "缺少承办单位（unit）", None
    unit = units.get(name)
    if unit is None or unit.retired_at is not None:
        return f"本市没有单位「{name}」", None
    if not unit.routable:
        return f"「{unit.name}」不能作为承办单位", None
    if urgency and urgency not in URGENCIES:
        return f"未知紧急程度「{urgency}」，可选：{'、'.join(URGENCY_LABELS)} 或 {'、'.join(URGENCY_LABELS.values())}", None
    return None, RoutingExample(city_id=city.id, text=text, unit_id=unit.id,
                                urgency=URGENCIES[urgency] if urgency else None, source="history")


def store(checked: Checked) -> int:
    """Add the good rows to the session (the caller commits)."""
    db.session.add_all([example for _, example in checked.good])
    db.session.flush()
    return len(checked.good)
