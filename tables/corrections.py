"""An admin's corrections to the imported register and table, made to survive re-import.

- Unit kind / routable / division code (territorial units): stored on the unit with Unit.corrected_at; an import then keeps them.
- Aliases: added ones are passed to the parser at the next import; removed ones are
  recorded (AliasRemoval) so that the import does not add them back.
- Lead units of a matter: stored on the matter and in LeadCorrection under the matter's
  key (its text), which the importer applies to the same matter in a later version.
Placeholders (各县区 …) and jurisdictions (县区, 经开区) are never routable, and a
placeholder never leads.
"""
from __future__ import annotations

from sqlalchemy import select

from kernel.db import db
from kernel.http import INVALID
from models import AliasRemoval, LeadCorrection, Matter, MatterUnit, Unit, UnitAlias, User
from models.base import utcnow
from models.city import unit_named

NEVER_ROUTABLE = ("placeholder", "jurisdiction")


class CorrectionError(ValueError):
    """A refused correction: the HTTP status, a Chinese message and optional field errors."""

    def __init__(self, status: int, message: str, errors: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors


def correct_unit(unit: Unit, kind: str | None = None, routable: bool | None = None,
                 division_code: str | None = "") -> None:
    """Change kind, routable and the division code ("" keeps it, None clears it; only a
    territorial unit has one)."""
    kind = unit.kind if kind is None else kind
    routable = unit.routable if routable is None else routable
    if routable and kind in NEVER_ROUTABLE:
        label = "占位名称（如“各县区”）" if kind == "placeholder" else "属地（县区、开发区）"
        raise CorrectionError(409, f"「{unit.name}」是{label}，不能设为可分拨单位")
    if division_code and kind != "jurisdiction":
        raise CorrectionError(409, f"「{unit.name}」不是属地单位（县区、开发区），不能设行政区划代码")
    unit.kind, unit.routable, unit.corrected_at = kind, routable, utcnow()
    unit.division_code = (unit.division_code if division_code == "" else division_code) if kind == "jurisdiction" else None


def _owner(city_id: int, spelling: str) -> Unit | None:
    return unit_named(city_id, spelling)


def add_alias(unit: Unit, alias: str) -> None:
    owner = _owner(unit.city_id, alias)
    if owner is unit:
        raise CorrectionError(409, f"「{alias}」已是「{unit.name}」的名称或别名")
    if owner is not None:
        raise CorrectionError(409, f"别名「{alias}」已指向「{owner.name}」，同一别名不能指向两个单位")
    db.session.add(UnitAlias(city_id=unit.city_id, unit=unit, alias=alias))
    removal = db.session.scalar(
        select(AliasRemoval).where(AliasRemoval.city_id == unit.city_id, AliasRemoval.alias == alias))
    if removal is not None:
        db.session.delete(removal)
    db.session.flush()


def remove_alias(unit: Unit, alias: str, user: User) -> None:
    row = db.session.scalar(select(UnitAlias).where(UnitAlias.unit_id == unit.id, UnitAlias.alias == alias))
    if row is None:
        raise CorrectionError(404, f"「{unit.name}」没有别名「{alias}」")
    unit.aliases.remove(row)
    if not db.session.scalar(
        select(AliasRemoval.id).where(AliasRemoval.city_id == unit.city_id, AliasRemoval.alias == alias)
    ):
        db.session.add(AliasRemoval(city_id=unit.city_id, alias=alias, removed_by_id=user.id))
    db.session.flush()


def correct_leads(matter: Matter, names: list[str], user: User) -> LeadCorrection:
    """Make the named units the matter's leads; the other units it names become assisting."""
    city_id = matter.table.city_id
    leads, errors = [], []
    for name in names:
        unit = _owner(city_id, name)
        if unit is None or unit.retired_at is not None:
            errors.append(f"本市没有在用的单位「{name}」")
        elif unit.kind == "placeholder":
            errors.append(f"「{name}」是占位名称，不能作为牵头单位")
        elif unit not in leads:
            leads.append(unit)
    if errors:
        raise CorrectionError(400, INVALID, {"lead_units": errors})
    rows = sorted(matter.units, key=lambda r: r.position)
    others = [r.unit for r in rows if r.role != "placeholder" and r.unit not in leads]
    placeholders = [r.unit for r in rows if r.role == "placeholder" and r.unit not in leads]
    by_unit = {r.unit_id: r for r in rows}
    order = [(u, "lead") for u in leads] + [(u, "assisting") for u in others] + [(u, "placeholder") for u in placeholders]
    for position, (unit, role) in enumerate(order):
        row = by_unit.get(unit.id)
        if row is None:
            row = MatterUnit(unit=unit)
            matter.units.append(row)
        row.role, row.position, row.lead_is_default = role, position, False
    correction = db.session.scalar(
        select(LeadCorrection).where(LeadCorrection.city_id == city_id, LeadCorrection.matter_key == matter.key))
    if correction is None:
        correction = LeadCorrection(city_id=city_id, matter_key=matter.key)
        db.session.add(correction)
    correction.lead_units = [u.name for u in leads]
    correction.changed_by_id, correction.changed_at = user.id, utcnow()
    db.session.flush()
    return correction
