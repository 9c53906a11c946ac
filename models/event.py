"""The append-only event log of every appeal, hash-chained per appeal."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kernel.db import db
from models.appeal import Appeal
from models.base import UTCDateTime, utcnow


class AppealEvent(db.Model):
    __tablename__ = "appeal_events"
    __table_args__ = (UniqueConstraint("appeal_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), index=True)
    seq: Mapped[int]
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Denormalised so the record stays readable if the user is later renamed or deactivated.
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)
    # Indexed: the checkpoint job and `flask audit verify` look for entries newer than a checkpoint.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    appeal: Mapped[Appeal] = relationship(back_populates="events")


@event.listens_for(AppealEvent, "before_update")
@event.listens_for(AppealEvent, "before_delete")
def _refuse_change(mapper, connection, target):
    raise RuntimeError("the appeal event log is append-only")
