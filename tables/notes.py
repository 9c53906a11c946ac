"""Numbered measures each ending in a unit note (新密, 朔州).

    1.持续优化….(市发展改革委、市工信商务局牵头,各履行行政审批职能部门按职责分工负责)

Items are numbered 1, 2, 3 … in order; a line that does not start the next item
continues the current one until its note is found. "(一)…" and "一、…" lines
are section headings. The table region runs from the first item to the last note.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from tables.model import UnplacedLine
from tables.register import Draft
from tables.text import SECTION, SUBSECTION, strip_markup, unify_brackets
from tables.units import split_note

_ITEM = re.compile(r"\s*(\d{1,3})\s*[.．、](?!\d)\s*(.*)")
_NOTE = re.compile(r"（([^（）]*(?:（[^（）]*）[^（）]*)*)）\s*[。；;]?\s*$")
_TITLE = re.compile(r"([^。；;]{2,40})[。；;](.+)")


def _note(text: str) -> re.Match[str] | None:
    found = _NOTE.search(unify_brackets(text))
    return found if found and re.search("牵头|负责", found.group(1)) else None


def looks_like(lines: list[str]) -> bool:
    return sum(bool(_ITEM.match(line) and _note(line)) for line in lines) >= 2


@dataclass
class _Item:
    number: int
    first: int
    last: int
    text: str
    section: str
    done: bool  # its note has been read


def parse(lines: list[str]) -> tuple[list[Draft], list[UnplacedLine], tuple[int, int]]:
    items: list[_Item] = []
    unplaced: list[UnplacedLine] = []
    heading, sub = "", ""
    for number, raw in enumerate(lines, 1):
        line = strip_markup(raw)
        item = _ITEM.match(line)
        current = items[-1] if items else None
        expected = current.number + 1 if current else 1
        repeated = bool(item and current and current.done and int(item.group(1)) == current.number)
        if item and (int(item.group(1)) == expected or repeated):
            items.append(_Item(int(item.group(1)), number, number, item.group(2),
                               sub or heading, _note(line) is not None))
        elif SECTION.match(line):
            heading, sub = line, ""
        elif SUBSECTION.match(line):
            sub = line
        elif line and current and not current.done:
            current.text += line
            current.last, current.done = number, _note(line) is not None
        elif line and items:
            unplaced.append(UnplacedLine(number, line))
    last = max((i.last for i in items if i.done), default=items[-1].first if items else 1)
    span = (items[0].first if items else 1, last)
    return [_draft(i) for i in items], [u for u in unplaced if u.line <= last], span


def _draft(item: _Item) -> Draft:
    text = item.text.strip()
    note = _note(text)  # brackets are unified char for char, so positions hold
    body = text[: note.start()].strip() if note else text
    title = _TITLE.fullmatch(body)
    task = title.group(1) if title and len(title.group(2)) > len(title.group(1)) else ""
    return Draft("", item.section, str(item.number), task, "", body,
                 split_note(note.group(1) if note else ""), "", (item.first, item.last))
