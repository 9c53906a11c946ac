"""Numbered measures each ending in a unit note (新密, 朔州).

    1.持续优化….(市发展改革委、市工信商务局牵头,各履行行政审批职能部门按职责分工负责)

Items are numbered 1, 2, 3 … in order; a line that does not start the next item
continues the current one until its note is found. "(一)…" and "一、…" lines
are section headings. The table region runs from the first item to the last note.
"""
from __future__ import annotations

import re

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


def parse(lines: list[str]) -> tuple[list[Draft], list[UnplacedLine], tuple[int, int]]:
    drafts: list[Draft] = []
    unplaced: list[UnplacedLine] = []
    heading, sub = "", ""
    current: dict | None = None  # number, first, last, text, section
    expected, first, last = 1, 0, 0

    def close() -> None:
        nonlocal current, last
        if current is not None:
            drafts.append(_draft(current))
            last = current["last"] if current["done"] else last
        current = None

    for number, raw in enumerate(lines, 1):
        line = strip_markup(raw)
        item = _ITEM.match(line)
        if item and int(item.group(1)) == expected:
            close()
            first = first or number
            expected += 1
            current = {"number": item.group(1), "first": number, "last": number,
                       "text": item.group(2), "section": sub or heading, "done": False}
            current["done"] = _note(line) is not None
        elif SECTION.match(line) or SUBSECTION.match(line):
            close()
            heading, sub = (line, "") if SECTION.match(line) else (heading, line)
        elif line and current is not None and not current["done"]:
            current["text"] += line
            current["last"] = number
            current["done"] = _note(line) is not None
        elif line and first:
            unplaced.append(UnplacedLine(number, line))
    close()
    last = max([last] + [d.lines[1] for d in drafts])
    return drafts, [u for u in unplaced if u.line <= last], (first or 1, last or 1)


def _draft(item: dict) -> Draft:
    text = item["text"].strip()
    note = _note(text)  # brackets are unified char for char, so positions hold
    body = text[: note.start()].strip() if note else text
    title = _TITLE.fullmatch(body)
    task = title.group(1) if title and len(title.group(2)) > len(title.group(1)) else ""
    return Draft("", item["section"], item["number"], task, "", body,
                 split_note(note.group(1) if note else ""), "", (item["first"], item["last"]))
