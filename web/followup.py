"""Follow-up calls (电话回访) by operators: closed appeals awaiting their follow-up, oldest first;
the enterprise's phone shown only after a logged disclosure; the answer recorded with the same
reopen and supervision rules as the enterprise's own rating (supervision.followup)."""
from flask import flash, redirect, render_template, request, url_for

from accounts.access import get_visible_appeal, visible_appeals
from events.log import lock_appeal
from kernel.db import db, paged
from kernel.schemas import BaseSchema
from models import Appeal, User
from supervision.followup import (
    FOLLOW_UP_ORDER,
    RATINGS,
    FollowUpError,
    awaiting_follow_up,
    check_awaiting,
    record_follow_up,
    record_unreached,
)
from web.disclosure import disclose_once, just_disclosed
from web.pages import list_args, page_blueprint
from web.rating import rating_form
from web.session import OPERATORS, current_user, login_required
from workflow.views import complainant_view


class NoFilters(BaseSchema):
    """The follow-up list has a page and nothing to filter."""


blp = page_blueprint("web_followup", __name__, url_prefix="/operator/follow-ups")
CHANNEL = "phone"
REASON = "电话回访"


@blp.get("")
@login_required(*OPERATORS)
def queue():
    _, page, _, _ = list_args(NoFilters)
    appeals = paged(awaiting_follow_up(visible_appeals(current_user())), page, *FOLLOW_UP_ORDER)
    return render_template("operator/followups.html", appeals=appeals, page=page)


def _awaiting(number: str) -> tuple[Appeal, User] | None:
    """The appeal when it still awaits its follow-up; otherwise None, with the reason flashed."""
    user = current_user()
    appeal = get_visible_appeal(user, number)
    try:
        check_awaiting(appeal)
    except FollowUpError as error:
        flash(f"{number}：{error}", "error")
        return None
    return appeal, user


def _call_page(appeal: Appeal, values: dict | None = None, errors: dict | None = None, status: int = 200):
    shown = just_disclosed(appeal.number)  # logged by the POST before
    return render_template("operator/followup.html", appeal=appeal, ratings=RATINGS, shown=shown,
                           complainant=complainant_view(appeal, full=shown), values=values or {},
                           errors=errors or {}), status


@blp.get("/<number>")
@login_required(*OPERATORS)
def call(number):
    found = _awaiting(number)
    if found is None:
        return redirect(url_for("web_followup.queue"))
    return _call_page(found[0])


@blp.post("/<number>/phone")
@login_required(*OPERATORS)
def phone(number):
    """Show the enterprise's phone for the call: the disclosure is logged, then shown once."""
    found = _awaiting(number)
    if found is None:
        return redirect(url_for("web_followup.queue"))
    disclose_once(*found, REASON)
    return redirect(url_for("web_followup.call", number=number), code=303)


@blp.post("/<number>")
@login_required(*OPERATORS)
def record(number):
    user = current_user()
    appeal = get_visible_appeal(user, number, for_update=True)
    reached = request.form.get("reached", "")
    values, errors = rating_form(request.form)
    values["reached"] = reached
    if reached == "no":
        errors = {name: messages for name, messages in errors.items() if name == "note"}
    elif reached != "yes":
        errors["reached"] = ["请选择电话是否接通"]
    if errors:
        return _call_page(appeal, values, errors, 400)
    lock_appeal(appeal)
    try:
        if reached == "yes":
            record_follow_up(appeal, values["solved"] == "yes", values["rating"], user, CHANNEL, values["note"] or None)
        else:
            record_unreached(appeal, user, values["note"] or None)
    except FollowUpError as error:
        db.session.rollback()
        flash(f"{number}：{error}", "error")
        return redirect(url_for("web_followup.queue"))
    db.session.commit()
    flash(f"{number} 已记录回访" if reached == "yes" else f"{number} 已记录未接通，仍在待回访列表中", "ok")
    return redirect(url_for("web_followup.queue"))
