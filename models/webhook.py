"""Partner platforms that push appeals to us, and outbound event subscriptions with their deliveries."""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kernel.db import db
from models.base import UTCDateTime, utcnow
from models.city import City, Unit
from models.user import User
from privacy.types import EncryptedString


class Partner(db.Model):
    """Another platform (12345, mini-program back end, 政务服务网 …) posting signed appeals.

    Secrets are encrypted, not hashed: checking an HMAC needs the secret in clear. After a
    rotation the previous secret stays valid until `previous_valid_until` (the overlap window)."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    # The <partner> of POST /webhooks/<partner>/appeals and the namespace of its external ids.
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    secret: Mapped[str] = mapped_column(EncryptedString())
    previous_secret: Mapped[str | None] = mapped_column(EncryptedString())
    previous_valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # JSON field paths of the partner's payload -> intake fields; see webhooks.mapping.
    mapping: Mapped[dict] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    city: Mapped[City] = relationship()
    user: Mapped[User] = relationship()


class Subscription(db.Model):
    """A receiver of outbound events, owned by exactly one unit or one partner."""

    __tablename__ = "webhook_subscriptions"
    __table_args__ = (CheckConstraint("(unit_id IS NULL) <> (partner_id IS NULL)", name="one_owner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(EncryptedString())
    previous_secret: Mapped[str | None] = mapped_column(EncryptedString())
    previous_valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    event_types: Mapped[list] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()
    partner: Mapped[Partner | None] = relationship()


class Delivery(db.Model):
    """One event for one subscription: the payload is fixed at creation, every attempt sends it
    again under the same `key` (the receiver's idempotency key)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        Index("ix_webhook_deliveries_state_next", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(36), unique=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(32))
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("appeal_events.id"))
    payload: Mapped[dict] = mapped_column(JSON)
    # pending (an attempt is due at next_attempt_at) | sending (leased until lease_until)
    # | delivered | dead (the last allowed attempt failed; an admin may re-deliver)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    attempt_limit: Mapped[int]
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    subscription: Mapped[Subscription] = relationship()
    attempt_log: Mapped[list["DeliveryAttempt"]] = relationship(
        back_populates="delivery", order_by="DeliveryAttempt.number"
    )


class DeliveryAttempt(db.Model):
    __tablename__ = "webhook_attempts"
    __table_args__ = (UniqueConstraint("delivery_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    number: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_code: Mapped[int | None]
    latency_ms: Mapped[int]
    error: Mapped[str | None] = mapped_column(Text)

    delivery: Mapped[Delivery] = relationship(back_populates="attempt_log")
