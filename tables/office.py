"""Rows from .xlsx workbooks and .docx documents, for the grid parser.

Line numbers are spreadsheet row numbers (first sheet that has a 序号 header) or,
for Word, the running number of the table row across all tables in the document.
"""
from __future__ import annotations

from pathlib import Path

import docx
import openpyxl

from tables.grid import Row, header_columns
from tables.model import TableError

# A division table has hundreds of rows and about ten columns. A sheet's own claim of its size
# (<dimension ref="A1:XFD1048576"/>) is ignored: only cells present in the file are read, and
# no more than these.
MAX_ROWS = 5000
MAX_COLUMNS = 64


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a 序号 typed as 3.0
    return "" if value is None else str(value).strip()


def xlsx_rows(path: Path) -> list[Row]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            rows = _sheet_rows(sheet)
            if any(header_columns(cells) for _, cells in rows):
                return rows
        return []
    finally:
        book.close()


def _sheet_rows(sheet) -> list[Row]:
    """The sheet's rows, trailing empty cells dropped; a TableError for content past the bounds
    (rows past them that are empty, as formatting leaves them, are passed over, not kept)."""
    sheet.reset_dimensions()
    rows = []
    for line, values in enumerate(sheet.iter_rows(values_only=True), 1):
        cells = [_text(v) for v in values]
        while cells and not cells[-1]:
            cells.pop()
        if line > MAX_ROWS:
            if cells:
                raise TableError(f"工作表「{sheet.title}」超过{MAX_ROWS}行，超出任务分工表的读取上限，"
                                 "请删去多余的行后再导入", line)
            continue
        if len(cells) > MAX_COLUMNS:
            raise TableError(f"工作表「{sheet.title}」此行超过{MAX_COLUMNS}列，超出任务分工表的读取上限，"
                             "请删去多余的列后再导入", line)
        rows.append((line, cells))
    return rows


def docx_content(path: Path) -> tuple[list[Row], list[str]]:
    """Table rows of a Word document, and its paragraphs (for tables typed as text)."""
    document = docx.Document(str(path))
    rows: list[Row] = []
    for table in document.tables:
        for row in table.rows:
            rows.append((len(rows) + 1, [cell.text.strip() for cell in row.cells]))
    return rows, [paragraph.text for paragraph in document.paragraphs]
