"""Deadline and colour of appeals for the deadline column (from sla.service); the queues' order is
workflow.lists.ORDERS."""
from models import Appeal
from models.base import utcnow
from sla.service import appeal_clock, city_calendar


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

