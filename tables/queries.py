"""Reading a city's current division table back as the plain data the parser produces.

knowledge(city_id) -> StoredTable | None is what the router reads: the current version
(highest number) with admin corrections applied, its units as UnitEntry (active units
only, each with all its aliases and its routable flag) and its matters as ParsedMatter.
StoredTable has the `.units` / `.matters` shape of a ParsedTable, so
routing.knowledge.from_parsed accepts it as it is.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kernel.db import db
from models import City, DivisionTable, Matter, MatterUnit, Unit
from tables.model import ParsedMatter, UnitEntry


@dataclass(frozen=True)
class StoredTable:
    city: str
    version: int
    table_id: int
    source: str
    shape: str
    units: tuple[UnitEntry, ...]
    matters: tuple[ParsedMatter, ...]


def current_table(city_id: int) -> DivisionTable | None:
    return db.session.scalar(
        select(DivisionTable).where(DivisionTable.city_id == city_id).order_by(DivisionTable.version.desc()).limit(1))


def active_units(city_id: int) -> list[Unit]:
    return list(db.session.scalars(
        select(Unit).where(Unit.city_id == city_id, Unit.retired_at.is_(None))
        .options(selectinload(Unit.aliases)).order_by(Unit.id)))


def current_matters(table: DivisionTable) -> list[Matter]:
    return list(db.session.scalars(
        select(Matter).where(Matter.table_id == table.id)
        .options(selectinload(Matter.units).selectinload(MatterUnit.unit)).order_by(Matter.ordinal)))


def unit_entry(unit: Unit) -> UnitEntry:
    return UnitEntry(unit.name, tuple(sorted(a.alias for a in unit.aliases)), unit.kind, unit.routable)


def matter_entry(matter: Matter) -> ParsedMatter:
    by_role = {"lead": [], "assisting": [], "placeholder": []}
    default = False
    for row in sorted(matter.units, key=lambda r: r.position):
        by_role[row.role].append(row.unit.name)
        default = default or row.lead_is_default
    return ParsedMatter(
        part=matter.part, section=matter.section, number=matter.number, task=matter.task,
        upper_measure=matter.upper_measure, measure=matter.measure, lead_units=tuple(by_role["lead"]),
        assisting_units=tuple(by_role["assisting"]), placeholders=tuple(by_role["placeholder"]),
        # a matter without leads is always a default: the table named nobody to lead it
        lead_is_default=default or not by_role["lead"], deadline=matter.deadline, source=matter.source,
        lines=(matter.line_first, matter.line_last),
    )


def knowledge(city_id: int) -> StoredTable | None:
    """The current version of the city's table, or None when none was imported."""
    table = current_table(city_id)
    if table is None:
        return None
    city = db.session.get(City, city_id)
    return StoredTable(
        city=city.name, version=table.version, table_id=table.id, source=table.source_name, shape=table.shape,
        units=tuple(unit_entry(u) for u in active_units(city_id)),
        matters=tuple(matter_entry(m) for m in current_matters(table)),
    )


def table_json(stored: StoredTable) -> dict:
    """The JSON form printed by `flask tables show --json`."""
    return {
        "city": stored.city, "version": stored.version, "source": stored.source, "shape": stored.shape,
        "units": [{"name": u.name, "aliases": list(u.aliases), "kind": u.kind, "routable": u.routable}
                  for u in stored.units],
        "matters": [{
            "part": m.part, "number": m.number, "section": m.section, "task": m.task,
            "upper_measure": m.upper_measure, "measure": m.measure, "lead_units": list(m.lead_units),
            "assisting_units": list(m.assisting_units), "placeholders": list(m.placeholders),
            "lead_is_default": m.lead_is_default, "deadline": m.deadline, "source": m.source,
            "lines": list(m.lines),
        } for m in stored.matters],
    }

