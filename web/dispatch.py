"""Dispatcher (派单员): the manual-dispatch queue with the router's candidates, one-click assignment,
and returned appeals with their reasons; most urgent first, then longest waiting, each with its
dispatch time limit, and the 110/119/120 hand-over where life is in danger."""
from flask import flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy import select

from accounts.access import get_visible_appeal
from kernel.db import db
from kernel.schemas import flat_errors
from kernel.vocabulary import Status
from models import Appeal, AppealEvent, Role
from models.base import utcnow
from models.city import unit_named
from sla.service import city_calendar, dispatch_clock, rules_in_force
from web.pages import list_args, page_blueprint, staffed_unit_ids, unit_choices
from web.session import current_user, login_required
from workflow.lists import AppealQuerySchema, appeal_list, page_of
from workflow.schemas import AssignSchema
from workflow.transitions import TransitionError, check, dispatch
from workflow.views import needs_handover

blp = page_blueprint("web_dispatch", __name__, url_prefix="/dispatch")
ROLES = (Role.dispatcher, Role.admin)


def last_event(appeal: Appeal, actions: tuple[str, ...]) -> AppealEvent | None:
    return db.session.scalar(
        select(AppealEvent).where(AppealEvent.appeal_id == appeal.id, AppealEvent.action.in_(actions))
        .order_by(AppealEvent.seq.desc()).limit(1)
    )


def queue_items(user, appeals: list[Appeal]) -> list[dict]:
    rules, calendar = rules_in_force(user.city_id), city_calendar(user.city_id)
    items = []
    for a in appeals:
        why = last_event(a, ("return",) if a.status == Status.returned else ("to_manual",))
        # the unit that returned an appeal is not proposed for it again
        returned = (why.data or {}).get("returned_by_unit") if why is not None and why.action == "return" else None
        candidates = [c for c in (a.routing or {}).get("candidates") or [] if c.get("unit") != returned]
        items.append({"appeal": a, "candidates": candidates[:3], "top_words": (a.routing or {}).get("top_words") or [],
                      "proposed": (a.routing or {}).get("urgency"), "life_danger": needs_handover(a),
                      "waiting": dispatch_clock(a, rules=rules, calendar=calendar), "why": why})
    return items


def render_queue(errors: dict | None = None, failed: str | None = None, status: int = 200):
    """The queue page, filtered, searched and paged like GET /api/v1/appeals?queue=dispatch."""
    user = current_user()
    args, page, values, list_errors = list_args(AppealQuerySchema)
    args["queue"] = "dispatch"
    appeals = page_of(appeal_list(user, args, utcnow()), page, "dispatch")
    return render_template("dispatch/queue.html", items=queue_items(user, appeals), units=unit_choices(user.city_id),
                           errors=errors or {}, failed=failed, values=request.form, page=page,
                           filters=values, filter_errors=list_errors), status


@blp.get("")
@login_required(*ROLES)
def queue():
    return render_queue()


def _unit(city, name: str, field: str, errors: dict):
    unit = unit_named(city.id, name) if name else None
    if unit is None or not unit.active or not unit.routable:
        errors.setdefault(field, []).append(f"「{name}」不能作为承办单位" if unit else f"本市没有单位「{name}」")
    return unit


@blp.post("/<number>/assign")
@login_required(*ROLES)
def assign(number):
    """派单: the lead unit by name (a candidate button or the select), optional assisting units."""
    user = current_user()
    appeal = get_visible_appeal(user, number, for_update=True)
    form = {"lead_unit": request.form.get("lead_unit", "").strip(),
            "assisting_units": [n for n in request.form.getlist("assisting_units") if n.strip()],
            "reason": request.form.get("reason", "").strip() or None}
    try:
        data = AssignSchema().load(form)
    except ValidationError as error:
        return render_queue(flat_errors(error.messages), number, 400)
    errors: dict = {}
    lead = _unit(appeal.city, data["lead_unit"], "lead_unit", errors)
    assisting = [_unit(appeal.city, name, "assisting_units", errors) for name in data["assisting_units"]]
    if errors:
        return render_queue(errors, number, 400)
    try:
        check(appeal, "assign", user)
    except TransitionError as error:
        db.session.rollback()
        flash(f"{number}：{error.message}", "error")
        return redirect(url_for("web_dispatch.queue"))
    dispatch(appeal, lead, assisting, user, reason=data["reason"])
    db.session.commit()
    flash(f"{number} 已派至{lead.name}", "ok")
    staffed = staffed_unit_ids(appeal.city_id)
    unstaffed = [u.name for u in (lead, *assisting) if u.id not in staffed]
    if unstaffed:
        flash(f"注意：{'、'.join(unstaffed)}尚无承办人账号，诉求暂时无人办理，请联系管理员开通账号", "error")
    back = request.form.get("back") == "detail"
    return redirect(url_for("web_appeals.detail", number=number) if back else url_for("web_dispatch.queue"))
