"""The measures per unit, city and period, computed in SQL (formulas in docs/sla.md).

The cohort is the city's appeals received in [start, end) that were dispatched at least once
(they have a clock); per-unit rows group them by their current lead unit, per-territory rows
by the appeal's territory (属地, whether it led or co-handled). The return rate is counted on
unit assignments started in the period, per unit that held the appeal (per territory: of the
territory's appeals). Everything is evaluated at ``now`` (open appeals past their deadline count
as late).
"""
from datetime import datetime

from sqlalchemy import Float, and_, case, cast, func, literal_column, select

from kernel.db import db
from kernel.vocabulary import Status
from models import Appeal, AppealClock, Unit, UnitAssignment
from models.base import utcnow

RATES = ("response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate", "return_rate",
         "reopen_rate", "extension_rate")


def _count(condition):
    return func.sum(case((condition, 1), else_=0))


def _hours(dialect: str):
    if dialect == "postgresql":
        return func.extract("epoch", Appeal.closed_at - Appeal.received_at) / 3600.0
    return (func.julianday(Appeal.closed_at) - func.julianday(Appeal.received_at)) * 24.0


# What the rows are grouped by: the lead unit, the territory, or nothing (one city row).
KEYS = {"unit": lambda: Appeal.lead_unit_id, "territory": lambda: Appeal.territory_unit_id,
        None: lambda: literal_column("0")}


def _grouped(query, key, by_unit):
    """Per unit or territory (GROUP BY the key) or one city row (no grouping, key 0)."""
    return query.group_by(key) if by_unit else query


def _counts(city_id, start, end, now, by_unit) -> dict:
    closed = Appeal.status == Status.closed
    key = KEYS[by_unit]()
    columns = [
        func.count().label("appeals"),
        # Answered, or unanswered past the deadline: one still within its time is not counted yet.
        _count(and_(AppealClock.first_response_due.isnot(None),
                    (Appeal.first_response_at.isnot(None)) | (AppealClock.first_response_due < now)))
        .label("response_base"),
        _count(and_(Appeal.first_response_at.isnot(None),
                    Appeal.first_response_at <= AppealClock.first_response_due)).label("responded_on_time"),
        func.count(AppealClock.rating).label("followed_up"),
        _count(AppealClock.solved.is_(True)).label("solved"),
        _count(AppealClock.rating == "satisfied").label("satisfied"),
        _count(AppealClock.rating == "fairly_satisfied").label("fairly_satisfied"),
        _count(closed).label("closed"),
        _count(and_(closed, Appeal.closed_at <= AppealClock.completion_due)).label("closed_on_time"),
        _count(and_(AppealClock.open.is_(True), AppealClock.completion_due < now)).label("open_overdue"),
        _count(AppealClock.reopens > 0).label("reopened"),
        _count(AppealClock.extended.is_(True)).label("extended"),
    ]
    query = (select(key.label("unit_id"), *columns).select_from(Appeal)
             .join(AppealClock, Appeal.id == AppealClock.appeal_id)
             .where(Appeal.city_id == city_id, Appeal.received_at >= start, Appeal.received_at < end))
    rows = db.session.execute(_grouped(query, key, by_unit)).mappings().all()
    return {row["unit_id"]: dict(row) for row in rows}


def _returns(city_id, start, end, by_unit) -> dict:
    key = UnitAssignment.unit_id if by_unit == "unit" else KEYS[by_unit]()
    query = (select(key.label("unit_id"), func.count().label("assignments"),
                    _count(UnitAssignment.ended_by == "return").label("returned"))
             .where(UnitAssignment.city_id == city_id, UnitAssignment.started_at >= start,
                    UnitAssignment.started_at < end))
    if by_unit == "territory":
        query = query.join(Appeal, Appeal.id == UnitAssignment.appeal_id)
    rows = db.session.execute(_grouped(query, key, by_unit)).mappings().all()
    return {row["unit_id"]: dict(row) for row in rows}


def _medians(city_id, start, end, by_unit) -> dict:
    dialect = db.session.get_bind().dialect.name
    key = KEYS[by_unit]()
    hours = _hours(dialect)
    where = (Appeal.city_id == city_id, Appeal.received_at >= start, Appeal.received_at < end,
             Appeal.status == Status.closed)
    if dialect == "postgresql":
        query = select(key.label("unit_id"), func.percentile_cont(0.5).within_group(hours).label("median"))
        query = _grouped(query.where(*where), key, by_unit)
    else:  # the middle one or two values by window functions (SQLite has no percentile)
        ranked = select(key.label("unit_id"), cast(hours, Float).label("h"),
                        func.row_number().over(partition_by=key if by_unit else None, order_by=hours).label("rn"),
                        func.count().over(partition_by=key if by_unit else None).label("n")).where(*where).subquery()
        query = select(ranked.c.unit_id, func.avg(ranked.c.h).label("median")).where(
            ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2]))
        query = _grouped(query, ranked.c.unit_id, by_unit)
    return {row.unit_id: row.median for row in db.session.execute(query)}


def _rate(numerator, denominator):
    return None if not denominator else round(numerator / denominator, 4)


def _row(counts: dict, returns: dict, median, fairly_weight: float) -> dict:
    c = {k: int(counts.get(k) or 0) for k in (
        "appeals", "response_base", "responded_on_time", "followed_up", "solved", "satisfied", "fairly_satisfied",
        "closed", "closed_on_time", "open_overdue", "reopened", "extended")}
    c["assignments"] = int(returns.get("assignments") or 0)
    c["returned"] = int(returns.get("returned") or 0)
    return {
        **c,
        "response_rate": _rate(c["responded_on_time"], c["response_base"]),
        "resolution_rate": _rate(c["solved"], c["followed_up"]),
        "satisfaction_rate": _rate(c["satisfied"] + fairly_weight * c["fairly_satisfied"], c["followed_up"]),
        "on_time_rate": _rate(c["closed_on_time"], c["closed"] + c["open_overdue"]),
        "return_rate": _rate(c["returned"], c["assignments"]),
        "reopen_rate": _rate(c["reopened"], c["followed_up"]),
        "extension_rate": _rate(c["extended"], c["appeals"]),
        "median_handling_hours": None if median is None else round(float(median), 2),
    }


def measures(city_id: int, start: datetime, end: datetime, *, now: datetime | None = None,
             fairly_weight: float = 1.0) -> dict:
    """{"city": row, "units": [row with "unit_id" and "unit", by unit name], "territories": [the same
    per territory (属地), "unit" its name]} for the period."""
    now = now or utcnow()
    by = {key: (_counts(city_id, start, end, now, key), _returns(city_id, start, end, key),
                _medians(city_id, start, end, key)) for key in KEYS}
    counts, returns, medians = by[None]
    city = _row(counts.get(0, {}), returns.get(0, {}), medians.get(0), fairly_weight)
    return {"city": city, "units": _rows(*by["unit"], fairly_weight),
            "territories": _rows(*by["territory"], fairly_weight)}


def _rows(counts: dict, returns: dict, medians: dict, fairly_weight: float) -> list[dict]:
    unit_ids = {u for u in (*counts, *returns) if u is not None}
    names = dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).all()) if unit_ids else {}
    rows = [{"unit_id": u, "unit": names[u],
             **_row(counts.get(u, {}), returns.get(u, {}), medians.get(u), fairly_weight)} for u in unit_ids]
    return sorted(rows, key=lambda row: row["unit"])
