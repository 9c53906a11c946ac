"""Urgency class proposed from the text: emergency, urgent, normal, consult (the operator may override).

Emergency: danger to people, a mass incident, or production stopped / wages unpayable for many
workers or right now. Urgent: serious harm to operations (wages unpaid, money owed, loans cut,
accounts frozen, stoppage, penalties, infringement), a close deadline, or a grievance over a large
sum. Consult: a question with no grievance. Otherwise normal.
"""
from __future__ import annotations

import re
from functools import lru_cache

from routing.catalogue import read_tsv, split_phrases
from routing.normalize import normalize

URGENCIES = ("emergency", "urgent", "normal", "consult")
# "拖了三个月了", "半年多了": a matter that has dragged on is a grievance, not a question.
# A grievance over a large sum (≥ 50 万元) is urgent.
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)多?(万|亿)")
_DRAGGED_ON = re.compile(r"(\d+|[一二两三四五六七八九十半几]+)(个)?多?(天|周|星期|个月|月|年)多?了")


@lru_cache(maxsize=1)
def _cues() -> dict[str, tuple[str, ...]]:
    return {cue: split_phrases(phrases) for cue, phrases in read_tsv("urgency.tsv")}


def cues_in(text: str) -> dict[str, list[str]]:
    return {cue: [p for p in phrases if p in text] for cue, phrases in _cues().items()}


def _large_sum(text: str) -> bool:
    return any(unit == "亿" or float(n) >= 50 for n, unit in _AMOUNT.findall(text))


def classify_urgency(text: str) -> str:
    text = normalize(text)
    found = cues_in(text)
    pressing = found["soon"] or found["many"]
    if found["emergency"] or (pressing and (found["stop"] or found["wages"])):
        return "emergency"
    grievance = found["grievance"] or _DRAGGED_ON.search(text)
    if found["urgent"] or found["stop"] or found["wages"] or (grievance and _large_sum(text)):
        return "urgent"
    asks = found["consult"] or "?" in text or "？" in text
    if asks and not grievance:
        return "consult"
    return "normal"
