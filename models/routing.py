"""Versions of a city's router model.

The trained model is stored in the row itself (pickled, zlib-compressed, ~1–8 MB): a blob needs
no shared file system, so every web process and worker on any machine loads the same version.
Dispatcher corrections are not stored here: they are read from the event log (routing.store);
examples imported from a city's past work orders are (`routing_examples`).
"""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from kernel.db import db
from models.base import UTCDateTime, utcnow


class RouterModel(db.Model):
    __tablename__ = "router_models"
    __table_args__ = (UniqueConstraint("city_id", "version"), Index("ix_router_models_city_active", "city_id", "active"))

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"))
    version: Mapped[int]
    # The division table version it was trained on.
    table_id: Mapped[int | None] = mapped_column(ForeignKey("division_tables.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # At most one active version per city: the one workers route with.
    active: Mapped[bool] = mapped_column(default=False)
    # Not worse than the version active when it was built (on held-back corrections).
    accepted: Mapped[bool] = mapped_column(default=True)
    units: Mapped[int] = mapped_column(default=0)  # routable units
    matters: Mapped[int] = mapped_column(default=0)  # table matters used for training
    corrections: Mapped[int] = mapped_column(default=0)  # dispatcher corrections used for training
    held_back: Mapped[int] = mapped_column(default=0)  # corrections held back for evaluation
    # {"new_top1": …, "old_top1": …} on the held-back corrections (None without them)
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    threshold: Mapped[float]
    # sha256 of the blob: processes cache a loaded model by it
    digest: Mapped[str] = mapped_column(String(64))
    blob: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))


class RoutingExample(db.Model):
    """A labelled appeal the router learns from besides the table and the dispatchers' corrections:
    a city's historical work orders (`flask routing import-history`)."""

    __tablename__ = "routing_examples"

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    urgency: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16), default="history")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
