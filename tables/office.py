"""Rows from .xlsx workbooks and .docx documents, for the grid parser.

Line numbers are spreadsheet row numbers (first sheet that has a 序号 header) or,
for Word, the running number of the table row across all tables in the document.
"""
from __future__ import annotations

from pathlib import Path

import docx
import openpyxl

from tables.grid import Row, header_columns


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a 序号 typed as 3.0
    return "" if value is None else str(value).strip()


def xlsx_rows(path: Path) -> list[Row]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            rows = [(i, [_text(v) for v in values])
                    for i, values in enumerate(sheet.iter_rows(values_only=True), 1)]
            if any(header_columns(cells) for _, cells in rows):
                return rows
        return []
    finally:
        book.close()


def docx_content(path: Path) -> tuple[list[Row], list[str]]:
    """Table rows of a Word document, and its paragraphs (for tables typed as text)."""
    document = docx.Document(str(path))
    rows: list[Row] = []
    for table in document.tables:
        for row in table.rows:
            rows.append((len(rows) + 1, [cell.text.strip() for cell in row.cells]))
    return rows, [paragraph.text for paragraph in document.paragraphs]
