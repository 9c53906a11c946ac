"""Unit queue (承办单位): the unit's appeals, most urgent first then longest waiting, with deadline and colour."""
from flask import render_template, request
from sqlalchemy.orm import selectinload

from accounts.access import visible_appeals
from app.extensions import db
from models import Appeal, Role, Status
from web.clock import clocks
from workflow.queues import in_queue
from web.pages import page_blueprint
from web.session import current_user, login_required

blp = page_blueprint("web_unit", __name__, url_prefix="/unit")
VIEWS = {"open": "在办", "closed": "已办结"}


@blp.get("")
@login_required(Role.handler)
def queue():
    view = request.args.get("view", "open")
    view = view if view in VIEWS else "open"
    query = visible_appeals(current_user()).options(selectinload(Appeal.clock))
    if view == "closed":
        query = query.where(Appeal.status == Status.closed).order_by(Appeal.closed_at.desc()).limit(100)
    else:
        query = in_queue(query, "unit")
    appeals = db.session.scalars(query).all()
    clock_of = clocks(appeals)
    counts = {colour: sum(1 for c in clock_of.values() if c["colour"] == colour) for colour in ("red", "yellow")}
    return render_template("unit/queue.html", appeals=appeals, clocks=clock_of, view=view, views=VIEWS,
                           counts=counts)
