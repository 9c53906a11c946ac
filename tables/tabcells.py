"""Word tables pasted as text, one cell per line starting with a tab (金昌).

A cell's wrapped text continues on the following lines without a tab. Rows start
with a 序号 cell; headers repeat at page breaks (sometimes cut short, the next
row number run in); "附件N" lines start a new sub-table whose title follows.
The columns are read from the header: with a 牵头单位 column the row is
目标任务, 完成时限, 细化措施, 完成时限, 牵头单位, 责任单位 (金昌 附件2), otherwise
title, 省上任务, 市措施, 责任单位 (金昌 附件1).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from tables.model import UnplacedLine
from tables.register import Draft
from tables.text import is_section, join_wrapped
from tables.units import UnitNote, join_unit_lines, split_names, split_note

_ANNEX = re.compile(r"附件\s*\d{1,2}")
_NUMBER = re.compile(r"\d{1,3}")


@dataclass
class _Cell:
    first: int
    last: int
    lines: list[str]
    part: str

    @property
    def text(self) -> str:
        return join_wrapped(self.lines)


@dataclass
class _Row:
    number: str
    first: int
    part: str
    section: str
    width: int
    cells: list[_Cell] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return len(self.cells) >= self.width


def looks_like(lines: list[str]) -> bool:
    cells = [line.strip() for line in lines if line.lstrip(" ").startswith("\t")]
    return len(cells) >= 3 and "序号" in cells


def _cells(lines: list[str]) -> list[_Cell]:
    cells: list[_Cell] = []
    part, in_title = "", False
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if _ANNEX.fullmatch(stripped):
            part, in_title = re.sub(r"\s", "", stripped), True
        elif line.lstrip(" ").startswith("\t"):
            in_title = False
            cells.append(_Cell(number, number, [line.lstrip(" ")[1:]], part))
        elif stripped and cells and not in_title:
            cells[-1].lines.append(line)
            cells[-1].last = number
    return cells


def parse(lines: list[str]) -> tuple[list[Draft], list[UnplacedLine], tuple[int, int]]:
    cells = _cells(lines)
    drafts: list[Draft] = []
    unplaced: list[UnplacedLine] = []
    row: _Row | None = None
    width, header, section, part = 4, False, "", ""

    def close() -> None:
        nonlocal row
        if row is not None:
            drafts.append(_draft(row))
        row = None

    for cell in cells:
        text = cell.text
        if cell.part != part:
            close()
            part, section, width = cell.part, "", 4
        open_row = row is not None and not row.complete
        if text == "序号" and not open_row:
            close()
            header, width = True, 4
        elif _NUMBER.fullmatch(text) and (not open_row or int(text) == int(row.number) + 1):
            close()
            header = False
            row = _Row(text, cell.first, part, section, width)
        elif is_section(text) and not open_row:
            close()
            header, section = False, text
        elif header and len(text) <= 12:
            width = 6 if "牵头" in text else width
        elif open_row:
            row.cells.append(cell)
        else:
            unplaced += [UnplacedLine(cell.first + i, t) for i, t in enumerate(cell.lines) if t.strip()]
    close()
    span = (cells[0].first, cells[-1].last) if cells else (1, 1)
    return drafts, unplaced, span


def _draft(row: _Row) -> Draft:
    cells = row.cells + [_Cell(0, 0, [], row.part)] * (row.width - len(row.cells))
    last = max([row.first] + [c.last for c in row.cells])
    if row.width == 6:
        upper, _upper_deadline, measure, deadline, lead, units = cells[:6]
        leads = tuple(split_names(join_unit_lines(lead.lines)))
        units_note = split_note(units.text)
        note = UnitNote(leads, units_note.leads + units_note.others, bool(leads))
        return Draft(row.part, row.section, row.number, "", upper.text, measure.text,
                     note, deadline.text, (row.first, last))
    title, upper, measure, units = cells[:4]
    return Draft(row.part, row.section, row.number, title.text, upper.text, measure.text,
                 split_note(units.text), "", (row.first, last))
