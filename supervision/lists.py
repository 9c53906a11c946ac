"""Which open appeals are overdue (red), near their deadline (yellow) or without one (pending)."""
from sqlalchemy import Select, select

from models import Appeal, AppealClock


def by_colour(city_id: int, colour: str, now) -> Select:
    """Open appeals of the city in the given list, earliest due first (one definition for the API
    and the pages)."""
    query = select(Appeal).join(AppealClock).where(Appeal.city_id == city_id, AppealClock.open.is_(True))
    if colour == "red":
        query = query.where(AppealClock.pending.is_(False), AppealClock.completion_due < now)
    elif colour == "yellow":
        query = query.where(AppealClock.pending.is_(False), AppealClock.yellow_at <= now,
                            AppealClock.completion_due >= now)
    else:
        query = query.where(AppealClock.pending.is_(True))
    return query.order_by(AppealClock.completion_due, Appeal.id)
