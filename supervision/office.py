"""What the office's API and pages share: who the office is, which city it may see, and the
clock lists (red, yellow, pending) with one item per appeal."""
from datetime import timedelta

from flask import g
from flask_smorest import abort
from sqlalchemy import Select

from kernel.vocabulary import STATUS_LABELS, URGENCY_LABELS
from models import Appeal, Role
from sla.colours import by_colour
from sla.service import appeal_clock
from workflow.lists import filtered

OFFICE = (Role.supervisor, Role.admin)


def city_id_for(args) -> int:
    """The user's own city; a `city` argument naming any other one is refused (there is no
    province-level role: an admin administers one city)."""
    name = args.get("city")
    if name and name != g.user.city.name:
        abort(403, message="只能查看本市")
    return g.user.city_id


def clock_item(appeal: Appeal, now=None) -> dict:
    clock, view = appeal.clock, appeal_clock(appeal, now)
    return {"number": appeal.number, "unit": appeal.lead_unit.name if appeal.lead_unit else None,
            "urgency": appeal.urgency, "urgency_label": URGENCY_LABELS[appeal.urgency],
            "status_label": STATUS_LABELS[appeal.status], "enterprise": appeal.enterprise_name,
            "received_at": appeal.received_at, "completion_due": view["due"], "colour": view["colour"],
            "label": view["label_zh"], "extension_requested_due": clock.extension_due if clock else None,
            "extension_reason": clock.extension_reason if clock else None}


def clock_list(city_id: int, args: dict, now) -> Select:
    """A supervision list (red, yellow or pending) with the appeal lists' filters and search."""
    colour = args.get("colour", "red")
    query = filtered(by_colour(city_id, colour, now), {k: v for k, v in args.items() if k != "colour"}, now)
    if "min_age_days" in args:
        query = query.where(Appeal.received_at <= now - timedelta(days=args["min_age_days"]))
    return query
