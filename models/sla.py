"""SLA data: versioned rule sets per city, calendar notices and overrides, each appeal's clock."""
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from kernel.db import db
from models.appeal import Appeal
from models.base import UTCDateTime, utcnow

# Measures and bulletins select a city's appeals by month of receipt.
Index("ix_appeals_city_received", Appeal.city_id, Appeal.received_at)


class SlaRuleSet(db.Model):
    """One version of a city's time-limit rules (sla.rules JSON form). Never edited: a change
    is a new version, and each appeal keeps the version it was first dispatched under."""

    __tablename__ = "sla_rule_sets"
    __table_args__ = (UniqueConstraint("city_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    version: Mapped[int]
    rules: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarDay(db.Model):
    """A day that is off or a (make-up) working day. city_id NULL: the State Council's notice,
    loaded by an admin for a year the calendar package does not know; otherwise a city override."""

    __tablename__ = "sla_calendar_days"
    __table_args__ = (UniqueConstraint("city_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    working: Mapped[bool]
    note: Mapped[str] = mapped_column(String(200), default="")


class CalendarYear(db.Model):
    """A year whose national holiday notice has been loaded into sla_calendar_days."""

    __tablename__ = "sla_calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(200), default="")
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AppealClock(db.Model):
    """What the clock needs for one appeal: its current unit clock and its state. Colours are
    never stored for display; ``last_colour`` only guards that each change is recorded once."""

    __tablename__ = "sla_appeal_clocks"
    __table_args__ = (
        Index("ix_sla_clocks_open_yellow", "open", "yellow_at"),
        Index("ix_sla_clocks_open_due", "open", "completion_due"),
    )

    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), primary_key=True)
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("sla_rule_sets.id"))
    # Open: the unit's clock runs (dispatched, accepted, replied). Returned or closed: stopped.
    open: Mapped[bool] = mapped_column(default=True)
    # 时限待定: the calendar does not know a year the deadline runs into; dues are NULL.
    pending: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accept_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completion_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Derived with the dues (first moment the colour is yellow; one working day after due).
    yellow_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    supervise_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_colour: Mapped[str] = mapped_column(String(8), default="green")
    supervision_opened: Mapped[bool] = mapped_column(default=False)
    # The acceptance deadline passed before the unit accepted; recorded once per unit clock.
    accept_late: Mapped[bool] = mapped_column(default=False, server_default=false())
    extensions_granted: Mapped[int] = mapped_column(default=0)
    extension_due: Mapped[datetime | None] = mapped_column(UTCDateTime)  # pending request
    extension_reason: Mapped[str | None] = mapped_column(Text)
    extension_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extended: Mapped[bool] = mapped_column(default=False)  # ever granted one (extension rate)
    returns: Mapped[int] = mapped_column(default=0)
    reopens: Mapped[int] = mapped_column(default=0)
    # Latest follow-up answer (回访), for the measures.
    solved: Mapped[bool | None]
    rating: Mapped[str | None] = mapped_column(String(16))
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    appeal: Mapped[Appeal] = relationship(backref=backref("clock", uselist=False))
    rule_set: Mapped[SlaRuleSet] = relationship()


class UnitAssignment(db.Model):
    """Each time an appeal is given to a lead unit, and how that ended (return or reassign):
    the return rate is counted on these, per unit that returned."""

    __tablename__ = "sla_unit_assignments"
    __table_args__ = (Index("ix_sla_assignments_unit_started", "unit_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), index=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[str | None] = mapped_column(String(16))  # return | reassign
