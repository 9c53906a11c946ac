"""Deadline and colour of appeals for the deadline column (from sla.service) and queue order."""
from datetime import datetime

from models import Appeal
from models.base import utcnow
from sla.service import appeal_clock, city_calendar

URGENCY_ORDER = {"emergency": 0, "urgent": 1, "complex": 2, "normal": 3, "consult": 4}
FAR_FUTURE = datetime.max.replace(tzinfo=utcnow().tzinfo)


def clocks(appeals: list[Appeal]) -> dict[int, dict]:
    """{appeal id: {"due", "colour", "label"}} with the colour's Chinese label as text; the city's
    calendar is read once, not once per appeal."""
    now = utcnow()
    calendars = {city_id: city_calendar(city_id) for city_id in {a.city_id for a in appeals}}
    result = {}
    for appeal in appeals:
        clock = appeal_clock(appeal, now, calendars[appeal.city_id])
        result[appeal.id] = {"due": clock["due"], "colour": clock["colour"] or "none", "label": clock["label_zh"]}
    return result


def by_urgency(appeals: list[Appeal], clock_of: dict[int, dict]) -> list[Appeal]:
    """Most urgent first, then the nearest deadline, then the oldest."""
    return sorted(appeals, key=lambda a: (URGENCY_ORDER.get(a.urgency, 9),
                                          clock_of.get(a.id, {}).get("due") or FAR_FUTURE, a.id))
