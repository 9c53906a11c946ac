"""Territorial units (属地): counties, districts, county-level cities, development zones.

A city's territories come from tables/territories.json (GB/T 2260 division codes; internal codes,
which contain a letter, where a zone or town has none) and are put in the unit register by every
import of the city's table (`ensure`): kind ``jurisdiction``, never routable as a lead by the
router, with their division code and spellings. A unit an admin corrected keeps its code.
Placeholders such as 各县区 or 各县（市、区）人民政府 stand for all of them (`is_territorial`).
"""
from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from sqlalchemy import select

from kernel.db import db
from models import AliasRemoval, City, Unit, UnitAlias

DATA = Path(__file__).with_name("territories.json")
# 各县区, 各县（市、区）人民政府, 县区, 各乡镇（街道）, 各开发区, 各园区 …: every territory of the city.
_TERRITORIAL_PLACEHOLDER = re.compile(
    r"^各?(?:有关|相关)?(?:县|区|乡|镇|街道|开发区|园区)[（(、市区县乡镇街道）)]*(?:党委和)?(?:人民)?(?:政府|办事处)?$")


@cache
def catalogue() -> dict:
    return {city: data for city, data in json.loads(DATA.read_text(encoding="utf-8")).items()
            if not city.startswith("_")}


def entries(city_name: str) -> list[dict]:
    """The territorial units listed for a city (none for a city the file does not know)."""
    return catalogue().get(city_name, {}).get("units", [])


def is_territorial(placeholder: str) -> bool:
    """A placeholder that stands for the city's territorial units (各县区 …), not for departments."""
    return bool(_TERRITORIAL_PLACEHOLDER.match(placeholder.replace("各县（市、区）", "各县区")))


def ensure(city: City) -> set[str]:
    """Create or update the city's territorial units; the names of all of them."""
    names = set()
    for entry in entries(city.name):
        unit = _find(city.id, entry["name"], entry.get("aliases", ()))
        if unit is None:
            unit = Unit(city_id=city.id, name=entry["name"], kind="jurisdiction", routable=False)
            db.session.add(unit)
            db.session.flush()
        if unit.corrected_at is None:
            unit.kind, unit.routable = "jurisdiction", False
            unit.division_code = unit.division_code or entry["code"]
        unit.retired_at = None
        _add_aliases(city.id, unit, entry.get("aliases", ()))
        names.add(unit.name)
    db.session.flush()
    return names


def _find(city_id: int, name: str, aliases) -> Unit | None:
    spellings = [name, *aliases]
    unit = db.session.scalar(select(Unit).where(Unit.city_id == city_id, Unit.name.in_(spellings)).limit(1))
    if unit is None:
        unit = db.session.scalar(select(Unit).join(UnitAlias, UnitAlias.unit_id == Unit.id).where(
            UnitAlias.city_id == city_id, UnitAlias.alias.in_(spellings)).limit(1))
    return unit


def _add_aliases(city_id: int, unit: Unit, aliases) -> None:
    taken = set(db.session.scalars(select(UnitAlias.alias).where(UnitAlias.city_id == city_id)))
    taken |= set(db.session.scalars(select(Unit.name).where(Unit.city_id == city_id)))
    taken |= set(db.session.scalars(select(AliasRemoval.alias).where(AliasRemoval.city_id == city_id)))
    for alias in aliases:
        if alias not in taken:
            db.session.add(UnitAlias(city_id=city_id, unit=unit, alias=alias))


def codes(city_name: str) -> dict[str, str]:
    """Division code (current and former) → territorial unit name, for reading USCCs."""
    out = {}
    for entry in entries(city_name):
        for code in (entry["code"], *entry.get("former_codes", ())):
            out[code] = entry["name"]
    return out
