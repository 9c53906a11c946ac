"""Persisting a division table: each import is a new version of the city's table.

import_table(city_name, path_or_parsed, city_code=None) -> ImportReport works in the
caller's transaction: the caller commits, and rolls back on an exception. A file is read
(within the bounds of tables/office.py) before the transaction's first statement.

Re-import rules
- The city is created on its first import; its appeal-number prefix (City.code) comes
  from CITY_CODES or the caller, never guessed.
- Units are upserted by canonical name. New ones take the parser's kind and routable;
  existing ones too, unless an admin corrected them (Unit.corrected_at). Units the new
  version does not name are retired (never deleted: appeals and old versions point at
  them) unless an admin's lead correction names them; a retired unit named again is
  brought back. The city's territorial units (tables/territories.py) are added or kept
  with their division codes whether the table names them or not.
- Aliases already on record (an earlier import, an admin's additions) are passed to the
  parser, so a spelling keeps meaning the same unit; an alias that would name two units
  is a TableError with the line of the mention. Aliases an admin removed are not re-added.
- The table gets version n+1 with its matters. Appeals keep the version they were routed
  with (Appeal.division_table_id); the current table of a city is its highest version.
- An admin's lead correction (LeadCorrection, keyed by the matter's text) is applied to
  the same matter in the new version; the other units the table names become assisting.
- On a city's first import, units created by hand under short names (市工信局) are renamed
  to their canonical names (市工业和信息化局) and keep the short name as an alias.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from kernel.db import db
from models import AliasRemoval, City, DivisionTable, LeadCorrection, Matter, MatterUnit, Unit, UnitAlias
from models.base import utcnow
from tables import territories
from tables.model import ParsedMatter, ParsedTable, TableError, UnplacedLine
from tables.parse import complete, draft_file
from tables.units import canonical_name

# Appeal-number prefixes (pinyin initials) of the cities whose tables we know.
CITY_CODES = {"金昌": "JC", "新密": "XM", "朔州": "SZ", "赣州": "GZ"}
_CODE = re.compile(r"[A-Z]{1,8}")


class CityError(ValueError):
    """The city cannot be created or used as asked; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class ImportReport:
    city: str
    version: int
    table_id: int
    source: str
    shape: str
    rows: int  # matters stored
    units: int  # units in the register of this version
    routable: int
    leads_found: int  # matters whose leads the table names
    leads_default: int  # matters whose lead was defaulted to the first-listed unit
    leads_corrected: int  # matters whose leads an admin's earlier correction set
    unplaced: tuple[UnplacedLine, ...]
    new_units: tuple[str, ...]
    retired_units: tuple[str, ...]
    revived_units: tuple[str, ...]


def matter_key(task: str, upper_measure: str, measure: str) -> str:
    """The identity of a matter across versions: its text with whitespace removed."""
    text = "\x1f".join(re.sub(r"\s+", "", part) for part in (task, upper_measure, measure))
    return hashlib.sha256(text.encode()).hexdigest()


def _lead_rows(leads, assisting, placeholders, default: bool) -> list[MatterUnit]:
    """MatterUnit rows for units (Unit objects) in the order the matter lists them."""
    groups = (("lead", leads), ("assisting", assisting), ("placeholder", placeholders))
    rows, position = [], 0
    for role, units in groups:
        for unit in units:
            rows.append(MatterUnit(unit=unit, role=role, position=position, lead_is_default=default and role == "lead"))
            position += 1
    return rows


def import_table(city_name: str, source: str | Path | ParsedTable, city_code: str | None = None,
                 progress: Callable[[list], Iterable] | None = None) -> ImportReport:
    """Store the table as the city's next version; ``progress`` wraps the matters as they are
    written (the CLI's progress bar)."""
    # The file is read before the first statement: on SQLite that statement takes the write lock,
    # which a large workbook would otherwise hold while it is read.
    drafted = source if isinstance(source, ParsedTable) else draft_file(source)
    city = db.session.scalar(select(City).where(City.name == city_name).with_for_update())
    if city is not None and not _has_table(city):
        _canonicalise_hand_made(city)
    parsed = drafted if isinstance(drafted, ParsedTable) else complete(drafted, _known(city))
    _check_lengths(parsed)
    code = _code(city, city_name, city_code)
    if city is None:
        city = City(name=city_name, code=code)
        db.session.add(city)
        db.session.flush()
    units, new, revived = _upsert_units(city, parsed)
    _add_aliases(city, parsed, units)
    corrections = {c.matter_key: c for c in db.session.scalars(
        select(LeadCorrection).where(LeadCorrection.city_id == city.id))}
    placed = territories.ensure(city)
    retired = _retire(city, {u.name for u in parsed.units} | placed, corrections.values())
    version = (db.session.scalar(
        select(func.max(DivisionTable.version)).where(DivisionTable.city_id == city.id)) or 0) + 1
    table = DivisionTable(city=city, version=version, source_name=parsed.source, shape=parsed.shape)
    db.session.add(table)
    corrected = 0
    for ordinal, parsed_matter in enumerate(progress(parsed.matters) if progress else parsed.matters, 1):
        corrected += _add_matter(table, ordinal, parsed_matter, units, corrections)
    db.session.flush()
    return ImportReport(
        city=city.name, version=version, table_id=table.id, source=parsed.source, shape=parsed.shape,
        rows=len(parsed.matters), units=len(parsed.units), routable=sum(u.routable for u in parsed.units),
        leads_found=sum(not m.lead_is_default for m in parsed.matters),
        leads_default=sum(m.lead_is_default for m in parsed.matters), leads_corrected=corrected,
        unplaced=parsed.unplaced, new_units=tuple(new), retired_units=tuple(retired), revived_units=tuple(revived),
    )


def _code(city: City | None, name: str, given: str | None) -> str:
    if city is not None:
        if given and given != city.code:
            raise CityError(f"城市「{name}」的受理编号前缀已是 {city.code}，不能改为 {given}")
        return city.code
    code = given or CITY_CODES.get(name)
    if not code:
        raise CityError(f"未知城市「{name}」：请用 --code 给出受理编号前缀（大写拼音首字母，如 JC）")
    if not _CODE.fullmatch(code):
        raise CityError(f"受理编号前缀「{code}」无效：应为1至8个大写字母")
    other = db.session.scalar(select(City.name).where(City.code == code))
    if other:
        raise CityError(f"受理编号前缀 {code} 已被「{other}」使用，请用 --code 另选")
    return code


def _check_lengths(parsed: ParsedTable) -> None:
    """Refuse, with the line, text longer than its column rather than fail in the database."""
    for m in parsed.matters:
        for text, limit, label in ((m.deadline, 255, "完成时限"), (m.part, 64, "附件名称"), (m.number, 16, "序号")):
            if len(text) > limit:
                raise TableError(f"{label}超过{limit}个字，无法保存：“{text[:20]}…”", m.lines[0])
    for unit in parsed.units:
        for name in (unit.name, *unit.aliases):
            if len(name) > 128:
                raise TableError(f"单位名称超过128个字，可能是表格未能正确拆分：“{name[:20]}…”",
                                 _first_line(parsed, unit.name))


def _has_table(city: City) -> bool:
    return db.session.scalar(select(DivisionTable.id).where(DivisionTable.city_id == city.id).limit(1)) is not None


def _city_units(city: City) -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.city_id == city.id).order_by(Unit.id)))


def _canonicalise_hand_made(city: City) -> None:
    units = _city_units(city)
    names = {u.name for u in units}
    aliases = set(db.session.scalars(select(UnitAlias.alias).where(UnitAlias.city_id == city.id)))
    for unit in units:
        canonical = canonical_name(unit.name)
        if canonical != unit.name and canonical not in names and canonical not in aliases:
            names.add(canonical)
            if unit.name not in aliases:
                db.session.add(UnitAlias(city_id=city.id, unit=unit, alias=unit.name))
            unit.name = canonical
    db.session.flush()


def _known(city: City | None) -> dict[str, str]:
    """Every spelling on record → its unit's name (unit names included, retired units too)."""
    if city is None:
        return {}
    rows = db.session.execute(
        select(UnitAlias.alias, Unit.name).join(Unit, UnitAlias.unit_id == Unit.id).where(UnitAlias.city_id == city.id))
    known = dict(rows.all())
    known.update({unit.name: unit.name for unit in _city_units(city)})
    return known


def _upsert_units(city: City, parsed: ParsedTable) -> tuple[dict[str, Unit], list[str], list[str]]:
    units = {u.name: u for u in _city_units(city)}
    new, revived = [], []
    for entry in parsed.units:
        unit = units.get(entry.name)
        if unit is None:
            unit = units[entry.name] = Unit(city=city, name=entry.name, kind=entry.kind, routable=entry.routable)
            db.session.add(unit)
            new.append(entry.name)
            continue
        if unit.retired_at is not None:
            unit.retired_at = None
            revived.append(entry.name)
        if unit.corrected_at is None:
            unit.kind, unit.routable = entry.kind, entry.routable
    db.session.flush()
    return units, new, revived


def _first_line(parsed: ParsedTable, name: str) -> int:
    lines = [m.lines[1] for m in parsed.matters if name in m.lead_units + m.assisting_units + m.placeholders]
    return min(lines, default=parsed.span[0])


def _add_aliases(city: City, parsed: ParsedTable, units: dict[str, Unit]) -> None:
    """Add the register's aliases; one naming a different unit is refused with its line.

    The parser already refuses such aliases when it is given the ones on record; this
    check also covers a ParsedTable parsed without them.
    """
    owners = {a.alias: a.unit for a in db.session.scalars(select(UnitAlias).where(UnitAlias.city_id == city.id))}
    removed = set(db.session.scalars(select(AliasRemoval.alias).where(AliasRemoval.city_id == city.id)))
    for entry in parsed.units:
        unit = units[entry.name]
        for spelling in (entry.name, *entry.aliases):
            owner = owners.get(spelling) or (units.get(spelling) if spelling != entry.name else None)
            if owner is not None and owner is not unit:
                raise TableError(f"别名“{spelling}”同时指向“{owner.name}”和“{unit.name}”，请在表中写明全称",
                                 _first_line(parsed, entry.name))
            if spelling != entry.name and owner is None and spelling not in removed:
                db.session.add(UnitAlias(city_id=city.id, unit=unit, alias=spelling))
                owners[spelling] = unit
    db.session.flush()


def _retire(city: City, named: set[str], corrections) -> list[str]:
    protected = {name for correction in corrections for name in correction.lead_units}
    retired, now = [], utcnow()
    for unit in _city_units(city):
        if unit.retired_at is None and unit.name not in named and unit.name not in protected:
            unit.retired_at = now
            retired.append(unit.name)
    return retired


def _add_matter(table: DivisionTable, ordinal: int, m: ParsedMatter, units: dict[str, Unit], corrections) -> bool:
    """Store one matter; True when an admin's earlier lead correction was applied to it."""
    key = matter_key(m.task, m.upper_measure, m.measure)
    leads, assisting, default = list(m.lead_units), list(m.assisting_units), m.lead_is_default
    correction = corrections.get(key)
    chosen = [name for name in (correction.lead_units if correction else ()) if name in units]
    if chosen:
        assisting = [name for name in leads + assisting if name not in chosen]
        leads, default = chosen, False
    matter = Matter(
        table=table, ordinal=ordinal, part=m.part, number=m.number, section=m.section, task=m.task,
        upper_measure=m.upper_measure, measure=m.measure, deadline=m.deadline, source=m.source,
        line_first=m.lines[0], line_last=m.lines[1], key=key,
    )
    matter.units = _lead_rows([units[n] for n in leads], [units[n] for n in assisting],
                             [units[n] for n in m.placeholders], default)
    db.session.add(matter)
    return bool(chosen)
