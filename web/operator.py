"""Operator console (话务员): log a call, read the appeal number back, search."""
import secrets

from flask import jsonify, redirect, render_template, request, url_for
from sqlalchemy import or_

from accounts.access import get_visible_appeal, visible_appeals
from intake.service import submit
from kernel.db import db
from kernel.vocabulary import CHANNEL_LABELS, STATUS_LABELS, URGENCY_LABELS, Status
from models import Appeal
from models.base import utcnow
from privacy.lookup import blind_index, normalise_phone
from web.clock import clocks
from web.intake_form import form_values, load_appeal
from web.pages import city_units, list_args, page_blueprint
from web.session import OPERATORS, current_user, login_required
from web.suggest import router_suggestion
from workflow.lists import AppealQuerySchema, appeal_list, page_of

blp = page_blueprint("web_operator", __name__, url_prefix="/operator")


def _render(values: dict, errors: dict, status: int = 200):
    user = current_user()
    recent = db.session.scalars(
        visible_appeals(user).where(Appeal.created_by_id == user.id).order_by(Appeal.id.desc()).limit(8)
    ).all()
    return render_template("operator/console.html", values=values, errors=errors, recent=recent,
                           channels=list(CHANNEL_LABELS.items()), urgencies=list(URGENCY_LABELS.items())), status


@blp.get("")
@login_required(*OPERATORS)
def console():
    # A fresh key per form: a double-clicked or re-sent form is stored once (intake de-duplicates).
    return _render({"channel": "hotline", "urgency": "normal", "external_id": f"form-{secrets.token_hex(8)}"}, {})


@blp.post("")
@login_required(*OPERATORS)
def log_call():
    user = current_user()
    values = form_values(request.form)
    data, errors = load_appeal(values, user.city.name)
    if errors:
        return _render(values, errors, 400)
    appeal, _ = submit(data, user)
    return redirect(url_for("web_operator.saved", number=appeal.number))


@blp.get("/saved/<number>")
@login_required(*OPERATORS)
def saved(number):
    appeal = get_visible_appeal(current_user(), number)
    return render_template("operator/saved.html", appeal=appeal)


def open_appeals_of(enterprise: str, uscc: str, limit: int = 5) -> list[Appeal]:
    """Open appeals of the same enterprise (same USCC or same name) the user may see."""
    conditions = []
    if uscc:
        conditions.append(Appeal.enterprise_uscc == uscc.upper())
    if len(enterprise) >= 2:
        conditions.append(Appeal.enterprise_name == enterprise)
    if not conditions:
        return []
    query = visible_appeals(current_user()).where(or_(*conditions), Appeal.status != Status.closed)
    return db.session.scalars(query.order_by(Appeal.id.desc()).limit(limit)).all()


@blp.post("/suggest")
@login_required(*OPERATORS)
def suggest():
    """While the operator types: open appeals of the enterprise and, when available, the router's view.
    A POST (form body, CSRF token in the X-CSRFToken header), so appeal text stays out of URLs and logs."""
    enterprise = request.form.get("enterprise", "").strip()
    uscc = request.form.get("uscc", "").strip()
    text = request.form.get("text", "").strip()
    open_items = [{"number": a.number, "status_label": STATUS_LABELS[a.status], "text": a.text[:60],
                   "url": url_for("web_appeals.detail", number=a.number)}
                  for a in open_appeals_of(enterprise, uscc)]
    suggestion = router_suggestion(current_user().city.name, text, enterprise, uscc) if len(text) >= 5 else None
    return jsonify({"open": open_items, "suggestion": suggestion})


def _phone_match(term: str) -> tuple:
    """A search term that is a phone number also matches the complainant's phone, through its
    blind index (the encrypted phone is never decrypted to search)."""
    digits = normalise_phone(term)
    if digits.isdigit() and len(digits) >= 7:
        return (Appeal.complainant_phone_hash == blind_index(digits, "phone"),)
    return ()


@blp.get("/search")
@login_required(*OPERATORS)
def search_form():
    return render_template("operator/search.html", values={}, errors={}, results=None, clocks={}, page=None,
                           units=city_units(current_user().city_id))


@blp.post("/search")
@login_required(*OPERATORS)
def search():
    """A POST, so a searched phone number stays out of URLs, the browser history and the logs.
    The same filters, search and true total as GET /api/v1/appeals, with the deadline column."""
    user, now = current_user(), utcnow()
    args, page, values, errors = list_args(AppealQuerySchema, request.form)
    values.pop("csrf_token", None)
    results = page_of(appeal_list(user, args, now, _phone_match(args.get("q", ""))), page)
    return render_template("operator/search.html", values=values, errors=errors, results=results,
                           clocks=clocks(results), page=page, units=city_units(user.city_id))
