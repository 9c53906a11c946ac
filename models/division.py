"""Versions of a city's division-of-labour table and the matters in them."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kernel.db import db
from models.base import UTCDateTime, utcnow
from models.city import City, Unit


class DivisionTable(db.Model):
    __tablename__ = "division_tables"
    __table_args__ = (UniqueConstraint("city_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    version: Mapped[int]
    source_name: Mapped[str] = mapped_column(String(255))
    shape: Mapped[str] = mapped_column(String(32))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    city: Mapped[City] = relationship()
    matters: Mapped[list["Matter"]] = relationship(back_populates="table", order_by="Matter.ordinal")


class Matter(db.Model):
    __tablename__ = "matters"

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("division_tables.id"), index=True)
    ordinal: Mapped[int]
    part: Mapped[str] = mapped_column(String(64), default="", server_default="")  # sub-table, e.g. 附件1
    number: Mapped[str] = mapped_column(String(16), default="", server_default="")  # 序号 as printed
    section: Mapped[str] = mapped_column(Text, default="")
    task: Mapped[str] = mapped_column(Text, default="")
    upper_measure: Mapped[str] = mapped_column(Text, default="", server_default="")
    measure: Mapped[str] = mapped_column(Text, default="")
    # sha256 of task, upper measure and measure (whitespace removed): the same matter in
    # another version of the table has the same key, so an admin's lead correction follows it.
    key: Mapped[str] = mapped_column(String(64), default="", server_default="", index=True)
    deadline: Mapped[str] = mapped_column(String(255), default="")
    source: Mapped[str] = mapped_column(String(255))
    line_first: Mapped[int]
    line_last: Mapped[int]

    table: Mapped[DivisionTable] = relationship(back_populates="matters")
    units: Mapped[list["MatterUnit"]] = relationship(back_populates="matter", order_by="MatterUnit.position")


class MatterUnit(db.Model):
    __tablename__ = "matter_units"

    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))  # lead | assisting | placeholder (各县区 …, never routed)
    position: Mapped[int] = mapped_column(default=0)
    # True where the table names no lead and the first-listed unit was taken; an admin may change it.
    lead_is_default: Mapped[bool] = mapped_column(default=False)

    matter: Mapped[Matter] = relationship(back_populates="units")
    unit: Mapped[Unit] = relationship()


class LeadCorrection(db.Model):
    """An admin's choice of lead units for a matter, kept by matter key across table versions."""

    __tablename__ = "lead_corrections"
    __table_args__ = (UniqueConstraint("city_id", "matter_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"))
    matter_key: Mapped[str] = mapped_column(String(64))
    lead_units: Mapped[list] = mapped_column(JSON)  # canonical unit names, in order
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    changed_by: Mapped["User | None"] = relationship("User")  # noqa: F821
