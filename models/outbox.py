"""The transactional outbox: jobs recorded with the data they act on, pushed to RQ after commit."""
from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import db
from models.base import UTCDateTime, utcnow


class OutboxMessage(db.Model):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "done_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The job's registered name (jobs.registry), e.g. dispatch_appeal.
    job: Mapped[str] = mapped_column(String(128))
    args: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Failed runs so far, and the last one's error (type and message); a failed message is not
    # run again before next_attempt_at (backoff, jobs.outbox).
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Dead-lettered after OUTBOX_MAX_ATTEMPTS failures: kept, never run again until an operator
    # puts it back (`flask jobs retry`).
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
