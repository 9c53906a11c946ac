"""Tables given as rows of cells: TSV text (赣州), .xlsx sheets, .docx tables.

The header row (with a 序号 cell) names the columns. A row with a number starts
an item; a row repeating the current number (page break) or with an empty number
cell continues it. Where one cell holds several measure paragraphs and the unit
cell as many space-separated groups, each paragraph gets its own group.
"""
from __future__ import annotations

import re
from functools import partial

from tables.model import UnplacedLine
from tables.register import Draft
from tables.text import is_section, join_wrapped, strip_markup
from tables.units import UnitNote, split_names, split_note

Row = tuple[int, list[str]]
_NUMBER = re.compile(r"(\d{1,3})[.、．]?")
_BLOCK = re.compile(r"<\s*/?\s*(?:p|ol|ul|li|div|h\d)\b[^>]*>|\n", re.I)
_RUN_ITEM = re.compile(r"(\d{1,2})\s*[.．、]")


def header_columns(cells: list[str]) -> dict[str, int] | None:
    names = [re.sub(r"\s", "", strip_markup(c)) for c in cells]
    if "序号" not in names or len(names) < 3:
        return None
    cols = {"number": names.index("序号")}
    texts = [i for i, h in enumerate(names) if re.search("措施|举措|任务|事项|内容", h)]
    units = [i for i, h in enumerate(names) if re.search("单位|部门|配合|协办", h) and "牵头" not in h]
    for i, h in enumerate(names):
        if "牵头" in h:
            cols["lead"] = i
        elif "时限" in h or "时间" in h:
            cols["deadline"] = i
    uppers = [i for i in texts if names[i].startswith("省") or "上级" in names[i]]
    own = [i for i in texts if i not in uppers]
    if uppers:
        cols["upper"] = uppers[0]
    if own or uppers:
        cols["measure"] = (own or uppers)[-1]
    if len(own) >= 2:
        cols["task"] = own[0]
    city_units = [i for i in units if not names[i].startswith("省")] or units
    if city_units:
        cols["units"] = city_units[-1]
    return cols


def blocks(cell: str) -> list[str]:
    """Paragraphs of a cell; a numbered run (1. … 2. … 3.) stays one block."""
    out: list[tuple[int, str]] = []
    for piece in (strip_markup(p) for p in _BLOCK.split(cell)):
        if not piece:
            continue
        start = _RUN_ITEM.match(piece)
        number = int(start.group(1)) if start else 0
        if out and number > 1 and out[-1][0] == number - 1:
            out[-1] = (number, out[-1][1] + "\n" + piece)
        else:
            out.append((number, piece))
    return [text for _, text in out]


def unit_groups(cell: str) -> list[str]:
    text = re.sub(r"\s*([、，,;；])\s*", r"\1", strip_markup(cell))
    return [group for group in text.split() if group]


def parse(rows: list[Row]) -> tuple[list[Draft], list[UnplacedLine], tuple[int, int]]:
    drafts: list[Draft] = []
    unplaced: list[UnplacedLine] = []
    cols: dict[str, int] | None = None
    section, number, upper, first, last = "", "", "", 0, 0
    for line, cells in rows:
        found = header_columns(cells)
        if found:
            cols, first = (found, first or line)
            continue
        texts = [strip_markup(c) for c in cells]
        if cols is None or not any(texts):
            continue
        cell = partial(_pick, cells, cols)
        filled = [t for t in texts if t]
        numbered = _NUMBER.fullmatch(strip_markup(cell("number")))
        if len(filled) == 1 and is_section(filled[0]):
            section, last = filled[0], line
        elif (numbered or number) and (strip_markup(cell("measure")) or strip_markup(cell("units"))):
            if numbered and numbered.group(1) != number:
                number, upper = numbered.group(1), join_wrapped(cell("upper").split("\n"))
            drafts += _drafts(section, number, upper, cell, line)
            last = line
        else:
            unplaced.append(UnplacedLine(line, "\t".join(cells)))
    return drafts, [u for u in unplaced if u.line <= last], (first or 1, last or first or 1)


def _pick(cells: list[str], cols: dict[str, int], key: str) -> str:
    i = cols.get(key)
    return cells[i] if i is not None and i < len(cells) else ""


def _drafts(section: str, number: str, upper: str, cell, line: int) -> list[Draft]:
    paragraphs, groups = blocks(cell("measure")), unit_groups(cell("units"))
    pairs = list(zip(paragraphs, groups)) if 1 < len(groups) == len(paragraphs) else [
        ("\n".join(paragraphs), "、".join(groups))]
    leads = tuple(split_names(strip_markup(cell("lead"))))
    out = []
    for measure, units in pairs:
        note = split_note(units)
        if leads:
            note = UnitNote(leads, note.leads + note.others, True)
        task = join_wrapped(cell("task").split("\n"))
        out.append(Draft("", section, number, task, upper, measure, note,
                         join_wrapped(cell("deadline").split("\n")), (line, line)))
    return out


def text_rows(lines: list[str]) -> list[Row]:
    return [(i, line.split("\t")) for i, line in enumerate(lines, 1) if "\t" in line or line.strip()]


def looks_like(lines: list[str]) -> bool:
    return any(header_columns(line.split("\t")) for line in lines if line.count("\t") >= 2)
