"""Unit queue (承办单位): the unit's appeals, most urgent first then longest waiting, with deadline and
colour; paged, filtered and searched with the API's own list query."""
from flask import render_template, request
from sqlalchemy import func
from sqlalchemy.orm import selectinload

from kernel.db import db
from models import Appeal, Role
from models.base import utcnow
from sla.colours import in_colour
from web.clock import clocks
from web.pages import list_args, page_blueprint
from web.session import current_user, login_required
from workflow.lists import AppealQuerySchema, appeal_list, marks, page_of

blp = page_blueprint("web_unit", __name__, url_prefix="/unit")
VIEWS = {"open": "在办", "closed": "已办结"}


@blp.get("")
@login_required(Role.handler)
def queue():
    user, now = current_user(), utcnow()
    view = request.args.get("view", "open")
    view = view if view in VIEWS else "open"
    args, page, values, errors = list_args(AppealQuerySchema)
    args["closed"] = view == "closed"
    query = appeal_list(user, args, now).options(selectinload(Appeal.clock))
    appeals = page_of(query, page, "closed" if view == "closed" else "unit")
    open_query = appeal_list(user, {"closed": False}, now).with_only_columns(func.count())
    counts = {colour: db.session.scalar(open_query.where(in_colour(colour, now))) for colour in ("red", "yellow")}
    return render_template("unit/queue.html", appeals=appeals, clocks=clocks(appeals), view=view, views=VIEWS,
                           counts=counts, open_total=db.session.scalar(open_query), page=page, values=values,
                           errors=errors, marks=marks(appeals))
