"""Territorial responsibility (属地): where an appeal's matter lies and whether that territory handles it.

Pure functions over explicit data; the dispatch job (routing/dispatch.py) loads the data and acts.

Where: the address given at intake, else a territory named in the text (its name or a spelling on
record: 永昌县, 经开区纬二路), else the enterprise's USCC, whose characters 3–8 are the registering
authority's division code (GB/T 2260; former codes of a territory that changed status count too).
The address and the text say where the matter is; the USCC only where the enterprise registered.

Whether: the territory is the 属地 co-handler (an assisting unit, recorded as the appeal's
territory) when the table row behind the decision names territorial units (or a placeholder such
as 各县区 that stands for them), when the city's rules say every row does (金昌), or when the
matter is local (a township's arrears, a service hall, a park's utilities); it leads, with the
city department assisting, when the matter is purely local (a county's service hall). Without a
department (manual dispatch) the territory is only shown to the dispatcher, who decides. Rules are
data: routing/territory_rules.json.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

RULES = Path(__file__).with_name("territory_rules.json")
SOURCE_LABELS = {"uscc": "统一社会信用代码", "address": "诉求地址", "text": "诉求内容中的地名", "dispatcher": "分拨员指定"}


@dataclass(frozen=True)
class Territory:
    id: int
    name: str
    codes: tuple[str, ...]  # division code first, then former codes
    spellings: tuple[str, ...]  # name and aliases


@dataclass(frozen=True)
class Placement:
    territory: Territory
    source: str  # uscc | address | text


@dataclass(frozen=True)
class Rules:
    all_rows: bool
    local: tuple[re.Pattern, ...]
    territory_leads: tuple[re.Pattern, ...]


@cache
def rules_for(city: str) -> Rules:
    data = json.loads(RULES.read_text(encoding="utf-8"))
    base, own = data["default"], data.get(city, {})
    return Rules(
        all_rows=bool(own.get("all_rows", base["all_rows"])),
        local=tuple(re.compile(p) for p in (*base["local"], *own.get("local", ()))),
        territory_leads=tuple(re.compile(p) for p in (*base["territory_leads"], *own.get("territory_leads", ()))),
    )


def from_uscc(uscc: str | None, territories: list[Territory]) -> Territory | None:
    """The territory whose division code is the USCC's characters 3–8 (a city-level code: none)."""
    if not uscc or len(uscc) != 18:
        return None
    code = uscc[2:8]
    return next((t for t in territories if code in t.codes), None)


def from_text(text: str | None, territories: list[Territory]) -> Territory | None:
    """The territory named first in the text; of spellings starting at the same place, the longest."""
    best: tuple[int, int, Territory] | None = None
    for territory in territories:
        for spelling in territory.spellings:
            at = (text or "").find(spelling)
            if at >= 0 and (best is None or (at, -len(spelling)) < best[:2]):
                best = (at, -len(spelling), territory)
    return best[2] if best else None


def locate(address: str | None, text: str, uscc: str | None, territories: list[Territory]) -> Placement | None:
    for source, found in (("address", lambda: from_text(address, territories)),
                          ("text", lambda: from_text(text, territories)),
                          ("uscc", lambda: from_uscc(uscc, territories))):
        territory = found()
        if territory is not None:
            return Placement(territory, source)
    return None


def role(text: str, row_names_territories: bool, has_lead: bool, rules: Rules) -> tuple[str | None, str]:
    """('lead' | 'assisting' | None, why): how the located territory takes part in handling."""
    if any(p.search(text) for p in rules.territory_leads):
        return "lead", "territory_leads"
    if not has_lead:
        return None, "no_lead"
    if row_names_territories:
        return "assisting", "table_row"
    if rules.all_rows:
        return "assisting", "all_rows"
    if any(p.search(text) for p in rules.local):
        return "assisting", "local"
    return None, "not_local"
