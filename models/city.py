"""Cities and their units (departments, jurisdictions, placeholders)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kernel.db import db
from models.base import UTCDateTime, utcnow


class City(db.Model):
    __tablename__ = "cities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    # Prefix of appeal numbers, e.g. JC for 金昌 → JC20261122-000123.
    code: Mapped[str] = mapped_column(String(8), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    units: Mapped[list["Unit"]] = relationship(back_populates="city", order_by="Unit.id")


class Unit(db.Model):
    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("city_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    # department, court, procuratorate, party, people_org, enterprise, jurisdiction, placeholder
    kind: Mapped[str] = mapped_column(String(32), default="department")
    routable: Mapped[bool] = mapped_column(default=True)
    # Territorial units (kind jurisdiction): the GB/T 2260 administrative division code, or an
    # internal code for a zone without one (tables/territories.json says which).
    division_code: Mapped[str | None] = mapped_column(String(12))
    # Units are retired, never deleted: old appeals and table versions still point at them.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when an admin changed kind or routable: a re-import then keeps them instead of the parser's.
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    city: Mapped[City] = relationship(back_populates="units")
    aliases: Mapped[list["UnitAlias"]] = relationship(
        back_populates="unit", order_by="UnitAlias.alias", cascade="all, delete-orphan"
    )

    @property
    def active(self) -> bool:
        return self.retired_at is None


class UnitAlias(db.Model):
    __tablename__ = "unit_aliases"
    __table_args__ = (UniqueConstraint("city_id", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    alias: Mapped[str] = mapped_column(String(128))

    unit: Mapped[Unit] = relationship(back_populates="aliases")


class AliasRemoval(db.Model):
    """An alias an admin removed: a re-import of the table does not add it back."""

    __tablename__ = "alias_removals"
    __table_args__ = (UniqueConstraint("city_id", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"))
    alias: Mapped[str] = mapped_column(String(128))
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def unit_named(city_id: int, name: str) -> Unit | None:
    """The city's unit called `name`: its name, else one of its aliases (retired ones too). The one
    lookup behind every form, API field and CLI option that names a unit."""
    unit = db.session.scalar(select(Unit).where(Unit.city_id == city_id, Unit.name == name))
    return unit or db.session.scalar(
        select(Unit).join(UnitAlias).where(UnitAlias.city_id == city_id, UnitAlias.alias == name)
    )
