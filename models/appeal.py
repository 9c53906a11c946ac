"""Appeals: the case that moves through the system."""
from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kernel.db import db
from kernel.vocabulary import Status, Urgency
from models.base import UTCDateTime, utcnow
from models.city import City, Unit
from privacy.types import EncryptedString

appeal_assisting_units = Table(
    "appeal_assisting_units",
    db.metadata,
    Column("appeal_id", ForeignKey("appeals.id"), primary_key=True),
    Column("unit_id", ForeignKey("units.id"), primary_key=True),
)


class Appeal(db.Model):
    __tablename__ = "appeals"
    __table_args__ = (
        # A channel's own id is unique per city and sender namespace (see intake.service.sender_of):
        # one sender's ids can never answer with another sender's appeal.
        UniqueConstraint("city_id", "sender", "channel", "external_id"),
        Index("ix_appeals_city_status", "city_id", "status"),
        Index("ix_appeals_lead_status", "lead_unit_id", "status"),
        # The router's duplicate check looks up an enterprise's open appeals by name (or USCC).
        Index("ix_appeals_city_enterprise", "city_id", "enterprise_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"))
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(128))
    # Whose ids external_id belongs to: "staff" (the city's operators and admins, and appeals made
    # by the system itself), "public" (the enterprise pages) or "partner:<user id>" (one partner
    # account, its webhook included). Set by intake.service.sender_of.
    sender: Mapped[str] = mapped_column(String(32), default="staff")
    enterprise_name: Mapped[str] = mapped_column(String(200))
    enterprise_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    # Confidential: encrypted at rest; the phone is findable through its keyed hash.
    complainant_name: Mapped[str] = mapped_column(EncryptedString())
    complainant_phone: Mapped[str] = mapped_column(EncryptedString())
    complainant_phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(16), default=Urgency.normal)
    status: Mapped[str] = mapped_column(String(16), default=Status.received)
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # Where the matter lies (optional at intake) and the territorial unit (属地) it belongs to, with
    # where that came from: uscc | address | text | dispatcher (routing/territory.py).
    address: Mapped[str | None] = mapped_column(String(200))
    territory_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    territory_source: Mapped[str | None] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reply: Mapped[str | None] = mapped_column(Text)
    # How it was routed: table and model versions, candidates with probabilities, auto or manual.
    division_table_id: Mapped[int | None] = mapped_column(ForeignKey("division_tables.id"))
    routing: Mapped[dict | None] = mapped_column(JSON)
    # Danger to life now (三台联动): ticked by the operator at intake or flagged by the router.
    life_danger: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Passed to 110/119/120: {"services": [...], "at": ISO time, "by": name} (the latest hand-over).
    handover: Mapped[dict | None] = mapped_column(JSON)
    # Since when it waits in the dispatch queue (manual dispatch or returned); None elsewhere.
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    city: Mapped[City] = relationship()
    lead_unit: Mapped[Unit | None] = relationship(foreign_keys=[lead_unit_id])
    territory_unit: Mapped[Unit | None] = relationship(foreign_keys=[territory_unit_id])
    assisting_units: Mapped[list[Unit]] = relationship(secondary=appeal_assisting_units, order_by=Unit.id)
    events: Mapped[list["AppealEvent"]] = relationship(  # noqa: F821
        back_populates="appeal", order_by="AppealEvent.seq"
    )


class AppealCounter(db.Model):
    """Last appeal number issued per city and day, incremented atomically with an upsert."""

    __tablename__ = "appeal_counters"

    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
