"""Supervision orders (督办单) and follow-ups (回访)."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kernel.db import db
from models.appeal import Appeal
from models.base import UTCDateTime, utcnow
from models.city import Unit


class SupervisionOrder(db.Model):
    __tablename__ = "supervision_orders"
    __table_args__ = (Index("ix_supervision_orders_city_status", "city_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), index=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # overdue: opened by the scan one working day after red; follow_up: failed twice; manual
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | responded | closed
    reason: Mapped[str] = mapped_column(Text)
    response: Mapped[str | None] = mapped_column(Text)
    conclusion: Mapped[str | None] = mapped_column(Text)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    appeal: Mapped[Appeal] = relationship()
    unit: Mapped[Unit | None] = relationship()


class FollowUp(db.Model):
    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), index=True)
    solved: Mapped[bool]
    rating: Mapped[str] = mapped_column(String(16))  # satisfied | fairly_satisfied | dissatisfied
    channel: Mapped[str] = mapped_column(String(16))  # phone | miniprogram | web
    note: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
