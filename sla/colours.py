"""Which open appeals are overdue (red), near their deadline (yellow), in time (green) or without
a deadline (pending)."""
from sqlalchemy import Select, and_, not_, or_, select
from sqlalchemy.orm import aliased

from kernel.vocabulary import Status
from models import Appeal, AppealClock

COLOURS = ("red", "yellow", "green", "pending")


def colour_condition(colour: str, now, appeal=Appeal):
    """The condition (on AppealClock joined to its Appeal) of an open appeal in the given colour,
    as sla.service.appeal_clock colours it: red past the completion deadline or still not accepted
    after the acceptance deadline. One definition for the supervision lists and the colour filter
    of every appeal list. `appeal`: Appeal or an alias of it."""
    open_with_due = (AppealClock.open.is_(True), AppealClock.pending.is_(False))
    accept_late = and_(appeal.status == Status.dispatched, AppealClock.accept_due.isnot(None),
                       AppealClock.accept_due < now)
    if colour == "red":
        return (*open_with_due, or_(AppealClock.completion_due < now, accept_late))
    if colour == "yellow":
        return (*open_with_due, AppealClock.yellow_at <= now, AppealClock.completion_due >= now, not_(accept_late))
    if colour == "green":
        return (*open_with_due, AppealClock.yellow_at > now, not_(accept_late))
    return (AppealClock.open.is_(True), AppealClock.pending.is_(True))


def in_colour(colour: str, now):
    """Appeal.id IN (appeals of that colour): a filter for any appeal query."""
    inner = aliased(Appeal)
    found = (select(AppealClock.appeal_id).join(inner, inner.id == AppealClock.appeal_id)
             .where(*colour_condition(colour, now, inner)))
    return Appeal.id.in_(found)


def by_colour(city_id: int, colour: str, now) -> Select:
    """Open appeals of the city in the given list, earliest due first (one definition for the API
    and the pages)."""
    query = select(Appeal).join(AppealClock).where(Appeal.city_id == city_id, *colour_condition(colour, now))
    return query.order_by(AppealClock.completion_due, Appeal.id)
