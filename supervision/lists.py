"""Which open appeals are overdue (red), near their deadline (yellow), in time (green) or without
a deadline (pending)."""
from sqlalchemy import Select, select

from models import Appeal, AppealClock

COLOURS = ("red", "yellow", "green", "pending")


def colour_condition(colour: str, now):
    """The AppealClock condition of an open appeal in the given colour (one definition for the
    supervision lists and the colour filter of every appeal list)."""
    open_with_due = (AppealClock.open.is_(True), AppealClock.pending.is_(False))
    if colour == "red":
        return (*open_with_due, AppealClock.completion_due < now)
    if colour == "yellow":
        return (*open_with_due, AppealClock.yellow_at <= now, AppealClock.completion_due >= now)
    if colour == "green":
        return (*open_with_due, AppealClock.yellow_at > now)
    return (AppealClock.open.is_(True), AppealClock.pending.is_(True))


def in_colour(colour: str, now):
    """Appeal.id IN (appeals of that colour): a filter that needs no join."""
    return Appeal.id.in_(select(AppealClock.appeal_id).where(*colour_condition(colour, now)).correlate(None))


def by_colour(city_id: int, colour: str, now) -> Select:
    """Open appeals of the city in the given list, earliest due first (one definition for the API
    and the pages)."""
    query = select(Appeal).join(AppealClock).where(Appeal.city_id == city_id, *colour_condition(colour, now))
    return query.order_by(AppealClock.completion_due, Appeal.id)
