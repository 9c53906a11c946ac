"""Storing an appeal: one transaction for the appeal, its first event and its dispatch job."""
from zoneinfo import ZoneInfo

from marshmallow import ValidationError
from sqlalchemy import bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached

from app.extensions import db
from jobs import outbox
from models import Appeal, AppealCounter, AppealEvent, City, Status, User
from models.base import utcnow
from privacy.lookup import blind_index
from workflow.events import chained_event

CHINA = ZoneInfo("Asia/Shanghai")
DISPATCH_JOB = "routing.dispatch.dispatch_appeal"
# Built once: executing the same statement object with new parameters skips SQL compilation.
INSERT_APPEAL = insert(Appeal.__table__).returning(Appeal.__table__.c.id)
INSERT_EVENT = insert(AppealEvent.__table__)
# What a new appeal has none of yet (every column is given, so none is left to load; its events
# are left unloaded: the first one was written with a plain INSERT).
NEW_APPEAL = {"lead_unit_id": None, "lead_unit": None, "reply": None, "division_table_id": None, "routing": None,
              "dispatched_at": None, "accepted_at": None, "first_response_at": None, "replied_at": None,
              "closed_at": None, "assisting_units": [], "clock": None}
EVENT_COLUMNS = [column.key for column in AppealEvent.__table__.columns if column.key != "id"]


def _counter_upsert(dialect):
    counters = AppealCounter.__table__
    return (
        dialect.insert(counters)
        .values(city_id=bindparam("city_id"), day=bindparam("day"), last=1)
        .on_conflict_do_update(index_elements=["city_id", "day"], set_={"last": counters.c.last + 1})
        .returning(counters.c.last)
    )


NEXT_NUMBER = {"postgresql": _counter_upsert(postgresql), "sqlite": _counter_upsert(sqlite)}


def next_number(city: City) -> str:
    """JC20261122-000123: city code, local date, per-city daily sequence from an atomic upsert."""
    day = utcnow().astimezone(CHINA).strftime("%Y%m%d")
    statement = NEXT_NUMBER[db.session.get_bind().dialect.name]
    last = db.session.execute(statement, {"city_id": city.id, "day": day}).scalar_one()
    return f"{city.code}{day}-{last:06d}"


def find_existing(channel: str, external_id: str | None) -> Appeal | None:
    if external_id is None:
        return None
    return db.session.scalar(
        select(Appeal).where(Appeal.channel == channel, Appeal.external_id == external_id)
    )


def _commit_keeping_loaded() -> None:
    """Commit without expiring the city and the user: the 201 answer reads them (found by the
    intake benchmark: reloading them cost two queries)."""
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def submit(data: dict, user: User | None) -> tuple[Appeal, bool]:
    """Store a validated submission; returns (appeal, created). A repeated (channel, external_id)
    returns the first appeal, also when two submissions race (the unique constraint decides).

    Intake is the hot path, so the appeal, its first event and its dispatch job are three plain
    INSERTs rather than a unit-of-work flush; the answer is built from the values written."""
    city = db.session.scalar(select(City).where(City.name == data["city"]))
    if city is None:
        raise ValidationError({"city": [f"未知城市「{data['city']}」"]})
    # Staff and partners file for their own city only; the anonymous enterprise pages pick one.
    if user is not None and user.city_id != city.id:
        raise ValidationError({"city": [f"只能受理本市（{user.city.name}）的诉求"]})
    now = utcnow()
    values = {
        "number": next_number(city),
        "city_id": city.id,
        "channel": data["channel"],
        "external_id": data.get("external_id"),
        "enterprise_name": data["enterprise"]["name"],
        "enterprise_uscc": data["enterprise"].get("uscc"),
        "complainant_name": data["complainant"]["name"],
        "complainant_phone": data["complainant"]["phone"],
        "complainant_phone_hash": blind_index(data["complainant"]["phone"], "phone"),
        "text": data["text"],
        "urgency": data["urgency"],
        "status": Status.received.value,
        "created_by_id": user.id if user else None,
        "received_at": now,
        "updated_at": now,
    }
    try:
        appeal_id = db.session.execute(INSERT_APPEAL, values).scalar_one()
    except IntegrityError:
        # A repeated (channel, external_id): the unique constraint tells, and the rollback
        # also takes back the day's number the attempt drew.
        db.session.rollback()
        existing = find_existing(data["channel"], data.get("external_id"))
        if existing is None:
            raise
        if existing.city_id != city.id:  # never answer with another city's appeal
            raise ValidationError({"external_id": ["该渠道编号已被其他城市使用"]})
        return existing, False
    event = chained_event(appeal_id, None, "receive", user, from_status=None, to_status=Status.received,
                          data={"channel": data["channel"]})
    db.session.execute(INSERT_EVENT, {column: getattr(event, column) for column in EVENT_COLUMNS})
    outbox.add(DISPATCH_JOB, appeal_id)
    _commit_keeping_loaded()
    return _as_loaded(Appeal(id=appeal_id, **values, **NEW_APPEAL, city=city)), True


def _as_loaded(appeal: Appeal) -> Appeal:
    """The appeal just written, in the session as if loaded from the database: what the answer
    and any later change read comes from memory, no query."""
    make_transient_to_detached(appeal)
    db.session.add(appeal)
    return appeal
