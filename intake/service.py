"""Storing appeals: one transaction for the appeals, their first events and their dispatch jobs."""
from secrets import token_hex
from zoneinfo import ZoneInfo

from marshmallow import ValidationError
from sqlalchemy import insert, select, text, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached

from events.log import chained_event
from jobs import outbox
from kernel.db import db, execute_rows
from kernel.vocabulary import Channel, Status
from models import Appeal, AppealEvent, City, Role, User
from models.base import utcnow
from privacy.lookup import blind_index

CHINA = ZoneInfo("Asia/Shanghai")
DISPATCH_JOB = "dispatch_appeal"  # registered by routing.jobs
STAFF_SENDER, PUBLIC_SENDER = "staff", "public"
# Built once: executing the same statement object with new parameters skips SQL compilation
# (the dialects' own INSERT … ON CONFLICT constructs are compiled anew on every execution).
INSERT_APPEALS = insert(Appeal.__table__).returning(Appeal.__table__.c.id, sort_by_parameter_order=True)
INSERT_EVENT = insert(AppealEvent.__table__)
# Draws `count` numbers at once; the same SQL on PostgreSQL and SQLite.
NEXT_NUMBERS = text(
    "INSERT INTO appeal_counters (city_id, day, last) VALUES (:city_id, :day, :count) "
    "ON CONFLICT (city_id, day) DO UPDATE SET last = appeal_counters.last + excluded.last RETURNING last"
)
# On PostgreSQL, drawing the numbers and giving them to the appeals just inserted is one statement:
# the city's counter row is locked by it and stays locked only until the COMMIT right after it.
# The k-th id of :ids gets the k-th number (Python's `{n:06d}`: at least six digits).
NUMBER_APPEALS = text(
    "WITH counter AS (" + NEXT_NUMBERS.text + ") "
    "UPDATE appeals SET number = :prefix || lpad(n.v::text, greatest(6, length(n.v::text)), '0') "
    "FROM (SELECT ids.id, counter.last - :count + ids.k AS v "
    "FROM counter, unnest(CAST(:ids AS integer[])) WITH ORDINALITY AS ids(id, k)) AS n "
    "WHERE appeals.id = n.id RETURNING appeals.id, appeals.number"
)
# Elsewhere (SQLite) the two steps; a plain UPDATE, which leaves updated_at as written.
SET_NUMBER = text("UPDATE appeals SET number = :number WHERE id = :appeal_id")
# What an appeal's number is from its INSERT until the last statement of its transaction gives it
# its real one: unique (the column is), never committed (intake numbers before every commit),
# and never taken for a number (these begin with the city's code).
PROVISIONAL = "~"
# What a new appeal has none of yet (every column is given, so none is left to load; its events
# are left unloaded: the first one was written with a plain INSERT).
NEW_APPEAL = {"lead_unit_id": None, "lead_unit": None, "territory_unit_id": None, "territory_unit": None,
              "territory_source": None, "reply": None, "division_table_id": None, "routing": None,
              "handover": None, "queued_at": None, "dispatched_at": None, "accepted_at": None,
              "first_response_at": None, "replied_at": None, "closed_at": None, "assisting_units": [], "clock": None}
EVENT_COLUMNS = [column.key for column in AppealEvent.__table__.columns if column.key != "id"]


def next_numbers(city: City, count: int) -> list[str]:
    """JC20261122-000123: city code, local date, per-city daily sequence from an atomic upsert."""
    day = _today()
    last = db.session.execute(NEXT_NUMBERS, {"city_id": city.id, "day": day, "count": count}).scalar_one()
    return [f"{city.code}{day}-{n:06d}" for n in range(last - count + 1, last + 1)]


def number_appeals(city: City, appeal_ids: list[int]) -> list[str]:
    """Give the city's appeals just inserted in this transaction (under provisional numbers) the
    day's next numbers, in the order of `appeal_ids`; returns them in that order. Locks the city's
    counter row until the commit: the last thing a transaction does before it commits."""
    if db.session.get_bind().dialect.name != "postgresql":
        numbers = next_numbers(city, len(appeal_ids))
        db.session.execute(SET_NUMBER, [{"appeal_id": appeal_id, "number": number}
                                        for appeal_id, number in zip(appeal_ids, numbers)])
        return numbers
    day = _today()
    given = dict(db.session.execute(NUMBER_APPEALS, {
        "city_id": city.id, "day": day, "count": len(appeal_ids), "ids": appeal_ids,
        "prefix": f"{city.code}{day}-"}).all())
    return [given[appeal_id] for appeal_id in appeal_ids]


def _today() -> str:
    return utcnow().astimezone(CHINA).strftime("%Y%m%d")


def submit(data: dict, user: User | None) -> tuple[Appeal, bool]:
    """Store a validated submission; returns (appeal, created). A repeated (channel, external_id)
    of the same sender (sender_of) returns the first appeal, also when two submissions race (the
    unique constraint decides)."""
    try:
        return submit_many([data], user)[0]
    except ValidationError as error:
        raise ValidationError(error.messages[0]) from None


def submit_many(items: list[dict], user: User | None) -> list[tuple[Appeal, bool]]:
    """Store validated submissions in one transaction; returns (appeal, created) in their order.

    A (channel, external_id) the same sender stored before in the same city is answered with
    that appeal and not stored again; the same id from another sender or city is another appeal.
    A partner's channel is always `partner`, whatever it sends. Bad input raises ValidationError
    with messages keyed by the item's index, and nothing is stored. Intake is the hot path: the
    appeals, their first events and their dispatch jobs are one INSERT each, with no duplicate
    pre-check; when the unique constraint refuses a row, the transaction is rolled back (taking
    back the day's numbers it drew) and done again with the appeals stored meanwhile looked up first."""
    if user is not None and user.role == Role.partner:
        items = [{**item, "channel": Channel.partner.value} for item in items]
    _refuse_repeats(items)
    cities = _cities(items, user)
    existing: dict[int, Appeal] = {}
    while True:
        try:
            written = _insert(items, cities, [i for i in range(len(items)) if i not in existing], user)
            break
        except IntegrityError:
            db.session.rollback()
            found = _existing(items, cities, sender_of(user))
            if len(found) == len(existing):  # no (channel, external_id) stored meanwhile: another constraint
                raise
            existing = found
    _commit_keeping_loaded()
    return [(existing[i], False) if i in existing else (_as_loaded(written[i], cities[i]), True)
            for i in range(len(items))]


def sender_of(user: User | None) -> str:
    """The namespace of the sender's external ids: one per partner account (API and webhook
    alike), one for a city's staff (operators and admins, who see every appeal of their city
    anyway), one for the anonymous enterprise pages (whose ids are server-issued secrets)."""
    if user is None:
        return PUBLIC_SENDER
    if user.role == Role.partner:
        return f"partner:{user.id}"
    return STAFF_SENDER


def _refuse_repeats(items: list[dict]) -> None:
    """One (city, channel, external_id) once per batch: which of two copies to keep would be a guess."""
    seen, errors = set(), {}
    for i, item in enumerate(items):
        key = (item["city"], item["channel"], item.get("external_id"))
        if key[2] is not None and key in seen:
            errors[i] = {"external_id": ["同一批中渠道编号重复"]}
        seen.add(key)
    if errors:
        raise ValidationError(errors)


def _cities(items: list[dict], user: User | None) -> list[City]:
    """Each item's city; staff and partners file for their own city only (the anonymous
    enterprise pages pick one)."""
    names = {item["city"] for item in items}
    if user is not None and names == {user.city.name}:  # the usual case: loaded with the user
        found = {user.city.name: user.city}
    else:
        found = {city.name: city for city in db.session.scalars(select(City).where(City.name.in_(names)))}
    errors = {}
    for i, item in enumerate(items):
        city = found.get(item["city"])
        if city is None:
            errors[i] = {"city": [f"未知城市「{item['city']}」"]}
        elif user is not None and user.city_id != city.id:
            errors[i] = {"city": [f"只能受理本市（{user.city.name}）的诉求"]}
    if errors:
        raise ValidationError(errors)
    return [found[item["city"]] for item in items]


def _existing(items: list[dict], cities: list[City], sender: str) -> dict[int, Appeal]:
    """The items whose (city, channel, external_id) this sender has stored, with that appeal."""
    keys = {(cities[i].id, item["channel"], item["external_id"]) for i, item in enumerate(items)
            if item.get("external_id")}
    if not keys:
        return {}
    stored = {(a.city_id, a.channel, a.external_id): a for a in db.session.scalars(
        select(Appeal).where(Appeal.sender == sender,
                             tuple_(Appeal.city_id, Appeal.channel, Appeal.external_id).in_(list(keys))))}
    found = {}
    for i, item in enumerate(items):
        appeal = stored.get((cities[i].id, item["channel"], item.get("external_id")))
        if appeal is not None:
            found[i] = appeal
    return found


def _insert(items: list[dict], cities: list[City], indexes: list[int], user: User | None) -> dict[int, dict]:
    """Write the items at `indexes`; returns their written values by index."""
    if not indexes:
        return {}
    now = utcnow()
    # In the order of their unique keys: two batches that share external ids then wait on each
    # other's rows in the same order, never each on the other (a deadlock).
    indexes = sorted(indexes, key=lambda i: (cities[i].id, items[i]["channel"], items[i].get("external_id") or ""))
    rows = {i: {**_values(items[i], cities[i], user, now), "number": PROVISIONAL + token_hex(15)} for i in indexes}
    ids = execute_rows(INSERT_APPEALS, list(rows.values())).scalars().all()
    events = []
    for values, appeal_id in zip(rows.values(), ids):
        values["id"] = appeal_id
        event = chained_event(values["id"], None, "receive", user, from_status=None, to_status=Status.received,
                              data={"channel": values["channel"]})
        events.append({column: getattr(event, column) for column in EVENT_COLUMNS})
    execute_rows(INSERT_EVENT, events)
    outbox.add_many(DISPATCH_JOB, [[values["id"]] for values in rows.values()])
    # The numbers last: drawing them locks the city's counter row until the commit, and the
    # city's other intake transactions queue on it (docs/performance.md). Cities in the order of
    # their ids, so that two batches lock their counter rows in the same order.
    for city in sorted({cities[i] for i in indexes}, key=lambda city: city.id):
        mine = sorted(i for i in indexes if cities[i] is city)  # numbered in the order sent
        for i, number in zip(mine, number_appeals(city, [rows[i]["id"] for i in mine])):
            rows[i]["number"] = number
    return rows


def _values(data: dict, city: City, user: User | None, now) -> dict:
    """The appeal's columns but its number."""
    return {
        "city_id": city.id,
        "channel": data["channel"],
        "external_id": data.get("external_id"),
        "sender": sender_of(user),
        "enterprise_name": data["enterprise"]["name"],
        "enterprise_uscc": data["enterprise"].get("uscc"),
        "complainant_name": data["complainant"]["name"],
        "complainant_phone": data["complainant"]["phone"],
        "complainant_phone_hash": blind_index(data["complainant"]["phone"], "phone"),
        "text": data["text"],
        "address": (data.get("address") or "").strip() or None,
        "urgency": data["urgency"],
        "life_danger": data.get("life_danger", False),
        "status": Status.received.value,
        "created_by_id": user.id if user else None,
        "received_at": now,
        "updated_at": now,
    }


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


def _as_loaded(values: dict, city: City) -> Appeal:
    """The appeal just written, in the session as if loaded from the database: what the answer
    and any later change read comes from memory, no query."""
    appeal = Appeal(**values, **NEW_APPEAL, city=city)
    make_transient_to_detached(appeal)
    db.session.add(appeal)
    return appeal
