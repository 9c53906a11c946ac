"""Signed checkpoints of every appeal's event-log head, kept apart from the events (audit.checkpoints).

Each checkpoint lists the heads (appeal, seq, hash) that changed since the one before and is
signed with AUDIT_KEY over its heads and the previous checkpoint's signature, so checkpoints
chain as the events do: a head removed or edited, or a checkpoint removed from the middle, no
longer verifies.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kernel.db import db
from models.base import UTCDateTime, utcnow


class AuditCheckpoint(db.Model):
    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The checkpoint this one follows (0 for the first): unique, so two runs never fork the chain.
    previous_id: Mapped[int] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    signature: Mapped[str] = mapped_column(String(64))

    heads: Mapped[list["AuditCheckpointHead"]] = relationship(
        back_populates="checkpoint", order_by="AuditCheckpointHead.appeal_id")


class AuditCheckpointHead(db.Model):
    __tablename__ = "audit_checkpoint_heads"

    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("audit_checkpoints.id"), primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), primary_key=True, index=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))

    checkpoint: Mapped[AuditCheckpoint] = relationship(back_populates="heads")
