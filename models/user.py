"""Users, their roles and API tokens (stored only as hashes)."""
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kernel.db import db
from models.base import UTCDateTime, utcnow
from models.city import City, Unit


class Role(StrEnum):
    operator = "operator"
    dispatcher = "dispatcher"
    handler = "handler"
    supervisor = "supervisor"
    admin = "admin"
    partner = "partner"


ROLE_LABELS = {
    Role.operator: "话务员",
    Role.dispatcher: "派单员",
    Role.handler: "承办人",
    Role.supervisor: "督查室",
    Role.admin: "管理员",
    Role.partner: "合作平台",
}


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    role: Mapped[str] = mapped_column(String(16))
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    # Handlers are bound to exactly one unit; other roles have none.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised to end every page session of the user (sign-out, new password); see web.session.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    city: Mapped[City] = relationship()
    unit: Mapped[Unit | None] = relationship()
    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user")


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # SHA-256 of the token: tokens are 256-bit random, so a fast hash is enough.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")
