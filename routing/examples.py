"""A city's historical work orders as training examples: (text, unit, urgency?) rows checked against
the city's knowledge and turned into corrections, which train the next model version like a
dispatcher's assignments (`flask routing import-history` reads the file and stores what this returns).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from routing.knowledge import Correction, KnowledgeBase
from routing.training import MANUAL
from routing.urgency import URGENCIES

# Urgency as work orders write it, besides the router's own codes.
URGENCY_NAMES = {"紧急": "emergency", "特急": "emergency", "加急": "urgent", "急": "urgent", "较急": "urgent",
                 "一般": "normal", "普通": "normal", "咨询": "consult"}
MIN_TEXT_CHARS = 4


@dataclass(frozen=True)
class BadRow:
    line: int
    message: str


def examples_to_corrections(kb: KnowledgeBase, rows: Iterable[tuple[int, dict]]
                            ) -> tuple[list[Correction], list[BadRow]]:
    """rows: (line number, {"text", "unit", "urgency"?}); the unit by its name or an alias among the
    city's routable units (or 人工分拨). Returns the corrections and the rows that cannot be used."""
    routable = set(kb.routable_units())
    names = {spelling: name for spelling, name in kb.canonical().items() if name in routable}
    names[MANUAL] = MANUAL
    out, bad = [], []
    for line, row in rows:
        text = str(row.get("text") or "").strip()
        unit = str(row.get("unit") or "").strip()
        raw = str(row.get("urgency") or "").strip()
        urgency = URGENCY_NAMES.get(raw, raw.lower()) if raw else None
        if len(text) < MIN_TEXT_CHARS:
            bad.append(BadRow(line, "诉求内容为空或过短"))
        elif not unit:
            bad.append(BadRow(line, "缺少承办单位"))
        elif unit not in names:
            bad.append(BadRow(line, f"「{unit}」不是{kb.city}可分拨的单位"))
        elif urgency is not None and urgency not in URGENCIES:
            bad.append(BadRow(line, f"紧急程度「{raw}」无法识别（应为紧急、加急、一般或咨询）"))
        else:
            out.append(Correction(text, names[unit], urgency))
    return out, bad
