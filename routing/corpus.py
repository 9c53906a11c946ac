"""The starter corpus (routing/data/corpus/*.jsonl): labelled appeals written for the router, by
department kind, so that they transfer to every city through its unit register.

A record: `id`, `text`, `kind` (a catalogue kind, or `manual` for personal and out-of-scope matters),
`urgency`, `style`, and optionally `kind2` (a second matter in the same appeal), `life` (danger to
life), `accused` (conduct complaints, kind `jw`: the kind of the unit complained about).

The split into train and validation is fixed by the id alone (a salted hash, one in VALIDATION_SHARE
to validation), so it never changes as the corpus grows and a record never moves between the parts.
Models train on the train part only; the validation part is for tuning and measurement
(the confidence is calibrated on out-of-fold choices of the train part).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from routing.catalogue import DATA, kinds_of, load_catalogue, units_by_kind
from routing.knowledge import KnowledgeBase
from routing.vocabulary import MANUAL_KIND

MANUAL = "人工分拨"
CORPUS_DIR = DATA / "corpus"
SPLIT_SALT = "routing-corpus-split-1"
VALIDATION_SHARE = 5  # one in five


@dataclass(frozen=True)
class Appeal:
    id: str
    text: str
    kind: str
    urgency: str
    style: str = ""
    kind2: str = ""
    life: bool = False
    accused: str = ""


def split_of(appeal_id: str) -> str:
    digest = hashlib.sha256(f"{SPLIT_SALT}:{appeal_id}".encode()).digest()
    return "validation" if int.from_bytes(digest[:8], "big") % VALIDATION_SHARE == 0 else "train"


def load(directory: Path | None = None) -> tuple[Appeal, ...]:
    """Every record of the corpus, in file and line order; a record of an unknown kind is an error."""
    return _load(str(directory or CORPUS_DIR))


@lru_cache(maxsize=4)
def _load(directory: str) -> tuple[Appeal, ...]:
    known = {d.kind for d in load_catalogue()} | {MANUAL_KIND}
    out, seen = [], set()
    for path in sorted(Path(directory).glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            r = json.loads(line)
            kinds = {r["kind"], r.get("kind2") or MANUAL_KIND, r.get("accused") or MANUAL_KIND}
            if kinds - known:
                raise ValueError(f"{path.name}:{number}: unknown department kind {sorted(kinds - known)}")
            if r["id"] in seen:
                raise ValueError(f"{path.name}:{number}: duplicate id {r['id']}")
            seen.add(r["id"])
            out.append(Appeal(r["id"], r["text"], r["kind"], r["urgency"], r.get("style", ""),
                              r.get("kind2") or "", bool(r.get("life")), r.get("accused") or ""))
    return tuple(out)


def part(name: str, directory: Path | None = None) -> list[Appeal]:
    """The train or the validation part."""
    return [a for a in load(directory) if split_of(a.id) == name]


def kind_units(kb: KnowledgeBase) -> dict[str, str]:
    """Department kind → the city's unit that takes matters of that kind (absent: manual dispatch).

    Among the city's routable units of a kind: a unit for which it is the first kind its name matches
    (市工信商务局 is first 工信), then the unit the table names as lead most often, then register order.
    A kind without a unit takes its catalogue fallback's unit (供水 → 水务) when the city has one.
    """
    units = kb.routable_units()
    leads: dict[str, int] = {}
    for m in kb.matters:
        for u in m.leads:
            leads[u] = leads.get(u, 0) + 1
    order = {u: i for i, u in enumerate(units)}
    out = {}
    for kind, found in units_by_kind(units).items():
        out[kind] = min(found, key=lambda u: (kinds_of(u)[0] != kind, -leads.get(u, 0), order[u]))
    for dept in load_catalogue():
        if dept.kind not in out and dept.fallback in out:
            out[dept.kind] = out[dept.fallback]
    return out


def expected_unit(appeal: Appeal, units: dict[str, str]) -> str:
    """The unit a city should give the appeal (kind_units), or 人工分拨."""
    return units.get(appeal.kind, MANUAL) if appeal.kind != MANUAL_KIND else MANUAL


def city_records(kb: KnowledgeBase, appeals: list[Appeal]) -> list[dict]:
    """Evaluation records of the city (routing.evaluate, `flask routing evaluate`): the expected unit as
    gold_lead, the unit of the second matter, the accused unit's kind."""
    units = kind_units(kb)
    records = []
    for a in appeals:
        second = units.get(a.kind2, "") if a.kind2 and a.kind2 != MANUAL_KIND else ""
        records.append({"id": a.id, "city": kb.city, "text": a.text, "gold_lead": expected_unit(a, units),
                        "acceptable": [], "urgency": a.urgency, "life": a.life, "kind": a.kind,
                        "accused": a.accused, "second": second, "style": a.style})
    return records
