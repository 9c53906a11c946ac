"""Storing an appeal: one transaction for the appeal, its first event and its dispatch job."""
from zoneinfo import ZoneInfo

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from jobs import outbox
from models import Appeal, AppealCounter, City, User
from models.base import utcnow
from privacy.lookup import blind_index
from workflow.events import record

CHINA = ZoneInfo("Asia/Shanghai")
DISPATCH_JOB = "routing.dispatch.dispatch_appeal"


def next_number(city: City) -> str:
    """JC20261122-000123: city code, local date, per-city daily sequence from an atomic upsert."""
    day = utcnow().astimezone(CHINA).strftime("%Y%m%d")
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(AppealCounter)
        .values(city_id=city.id, day=day, last=1)
        .on_conflict_do_update(
            index_elements=["city_id", "day"], set_={"last": AppealCounter.last + 1}
        )
        .returning(AppealCounter.last)
    )
    last = db.session.execute(statement).scalar_one()
    return f"{city.code}{day}-{last:06d}"


def find_existing(channel: str, external_id: str | None) -> Appeal | None:
    if external_id is None:
        return None
    return db.session.scalar(
        select(Appeal).where(Appeal.channel == channel, Appeal.external_id == external_id)
    )


def _commit_keeping_loaded() -> None:
    """Commit without expiring what was just written: the 201 answer is built from it, which saves
    reloading the appeal, its city and the user (found by the intake benchmark: 4 of 16 queries)."""
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def submit(data: dict, user: User | None) -> tuple[Appeal, bool]:
    """Store a validated submission; returns (appeal, created). A repeated (channel, external_id)
    returns the first appeal, also when two submissions race (the unique constraint decides)."""
    city = db.session.scalar(select(City).where(City.name == data["city"]))
    if city is None:
        raise ValidationError({"city": [f"未知城市「{data['city']}」"]})
    # Staff and partners file for their own city only; the anonymous enterprise pages pick one.
    if user is not None and user.city_id != city.id:
        raise ValidationError({"city": [f"只能受理本市（{user.city.name}）的诉求"]})
    existing = find_existing(data["channel"], data.get("external_id"))
    if existing is not None:
        if existing.city_id != city.id:  # never answer with another city's appeal
            raise ValidationError({"external_id": ["该渠道编号已被其他城市使用"]})
        return existing, False
    appeal = Appeal(
        number=next_number(city),
        city=city,
        channel=data["channel"],
        external_id=data.get("external_id"),
        enterprise_name=data["enterprise"]["name"],
        enterprise_uscc=data["enterprise"].get("uscc"),
        complainant_name=data["complainant"]["name"],
        complainant_phone=data["complainant"]["phone"],
        complainant_phone_hash=blind_index(data["complainant"]["phone"], "phone"),
        text=data["text"],
        urgency=data["urgency"],
        created_by_id=user.id if user else None,
        assisting_units=[],
    )
    db.session.add(appeal)
    try:
        db.session.flush()
        record(appeal, "receive", user, from_status=None, data={"channel": appeal.channel})
        outbox.add(DISPATCH_JOB, appeal.id)
        _commit_keeping_loaded()
    except IntegrityError:
        db.session.rollback()
        existing = find_existing(data["channel"], data.get("external_id"))
        if existing is None:
            raise
        return existing, False
    return appeal, True
