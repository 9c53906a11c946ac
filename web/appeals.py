"""One appeal for staff: details, full history, deadlines, and the actions the user may take now.

Which actions appear is decided by workflow.transitions.check, the same rule the API applies;
complainant data is shown through workflow.views.appeal_view (masked, or full and logged).
"""

from flask import flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy import select

from accounts.access import get_visible_appeal
from kernel.db import db
from kernel.schemas import flat_errors
from kernel.vocabulary import URGENCY_LABELS
from models import Appeal, Role, SupervisionOrder, User
from sla.deadlines import ExtensionError
from sla.extensions import EXTENDABLE, request_extension
from sla.schemas import ExtensionRequestSchema
from sla.service import dispatch_clock
from supervision import orders
from supervision.schemas import TextSchema
from web.clock import clocks
from web.disclosure import disclose_once, just_disclosed
from web.pages import page_blueprint, unit_choices
from web.session import STAFF, current_user, login_required
from workflow.schemas import HandoverSchema, NoteSchema, ReasonSchema, ReplySchema, UrgencyChangeSchema
from workflow.transitions import TransitionError, check, hand_over, perform, set_urgency
from workflow.views import appeal_view, complainant_view

blp = page_blueprint("web_appeals", __name__, url_prefix="/appeals")

# action: (schema, form field, label of the field, button)
ACTIONS = {
    "accept": (NoteSchema, "note", "签收说明（可不填）", "签收"),
    "contact": (NoteSchema, "note", "联系情况（可不填）", "记录首次联系"),
    "reply": (ReplySchema, "text", "答复内容", "提交答复"),
    "close": (NoteSchema, "note", "办结说明（可不填）", "办结"),
    "return": (ReasonSchema, "reason", "退单原因", "退单"),
}
DISCLOSERS = (Role.handler, Role.dispatcher)
URGENCY_SETTERS = (Role.dispatcher, Role.supervisor, Role.admin)
HANDOVER_ROLES = (Role.operator, Role.dispatcher, Role.supervisor, Role.admin)
# Where a recorded hand-over returns to: the page its form was on.
HANDOVER_BACK = {"detail": "web_appeals.detail", "dispatch": "web_dispatch.queue", "saved": "web_operator.saved"}


def allowed(appeal: Appeal, user: User, action: str) -> bool:
    try:
        check(appeal, action, user)
    except TransitionError:
        return False
    return True


def can_ask_extension(appeal: Appeal, user: User) -> bool:
    clock = appeal.clock
    return (user.role == Role.handler and appeal.lead_unit_id == user.unit_id and appeal.status in EXTENDABLE
            and clock is not None and clock.open and not clock.pending and clock.extension_due is None)


def render_detail(appeal: Appeal, user: User, *, view: dict | None = None, errors: dict | None = None,
                  values: dict | None = None, status: int = 200):
    view = view or appeal_view(appeal, user, detail=True)
    actions = [(name, ACTIONS[name]) for name in ACTIONS if allowed(appeal, user, name)]
    can_assign = allowed(appeal, user, "assign")
    page = render_template(
        "appeals/detail.html", appeal=appeal, view=view, actions=actions, errors=errors or {},
        values=values or {}, clock=clocks([appeal])[appeal.id], can_assign=can_assign,
        units=unit_choices(appeal.city_id) if can_assign else [],
        candidates=((appeal.routing or {}).get("candidates") or [])[:3] if view.get("routing") else [],
        can_disclose=view["complainant"]["masked"] and user.role in DISCLOSERS,
        can_extend=can_ask_extension(appeal, user),
        can_set_urgency=allowed(appeal, user, "set_urgency"), can_handover=allowed(appeal, user, "handover"),
        waiting=dispatch_clock(appeal),
        orders=[orders.order_view(o) | {"unit_id": o.unit_id} for o in db.session.scalars(
            select(SupervisionOrder).where(SupervisionOrder.appeal_id == appeal.id).order_by(SupervisionOrder.id))],
    )
    db.session.commit()  # the view of full complainant data is logged
    return page, status


@blp.get("/<number>")
@login_required(*STAFF)
def detail(number):
    user = current_user()
    appeal = get_visible_appeal(user, number)
    if just_disclosed(number):
        view = appeal_view(appeal, user, detail=True)
        view["complainant"] = complainant_view(appeal, full=True)  # logged by the POST before
        return render_detail(appeal, user, view=view)
    return render_detail(appeal, user)


@blp.post("/<number>/<action>")
@login_required(Role.handler)
def act(number, action):
    if action not in ACTIONS:
        return redirect(url_for("web_appeals.detail", number=number))
    user = current_user()
    appeal = get_visible_appeal(user, number, for_update=True)
    schema, field, _, button = ACTIONS[action]
    value = request.form.get(field, "").strip()
    try:
        data = schema().load({field: value} if value else {})
    except ValidationError as error:
        errors = {f"{action}.{name}": messages for name, messages in flat_errors(error.messages).items()}
        return render_detail(appeal, user, errors=errors, values={f"{action}.{field}": value}, status=400)
    try:
        perform(appeal, action, user, reason=data.get(field))
    except TransitionError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("web_appeals.detail", number=number))
    db.session.commit()
    flash(f"{number} 已{button}", "ok")
    if action == "return":
        return redirect(url_for("web_unit.queue"))
    return redirect(url_for("web_appeals.detail", number=number))


@blp.post("/<number>/disclose")
@login_required(*DISCLOSERS)
def disclose(number):
    """Full complainant data for a stated reason; the read is appended to the event log."""
    user = current_user()
    appeal = get_visible_appeal(user, number)
    reason = request.form.get("reason", "").strip()
    try:
        ReasonSchema().load({"reason": reason})
    except ValidationError as error:
        errors = {f"disclose.{k}": v for k, v in flat_errors(error.messages).items()}
        return render_detail(appeal, user, errors=errors, values={"disclose.reason": reason}, status=400)
    disclose_once(appeal, user, reason)
    return redirect(url_for("web_appeals.detail", number=number), code=303)


@blp.post("/<number>/urgency")
@login_required(*URGENCY_SETTERS)
def urgency(number):
    """调整紧急程度 with a reason; the running deadlines follow."""
    user = current_user()
    appeal = get_visible_appeal(user, number, for_update=True)
    values = {name: request.form.get(name, "").strip() for name in ("urgency", "reason")}
    try:
        data = UrgencyChangeSchema().load({k: v for k, v in values.items() if v})
        check(appeal, "set_urgency", user)
    except ValidationError as error:
        errors = {f"urgency.{k}": v for k, v in flat_errors(error.messages).items()}
        return render_detail(appeal, user, errors=errors, values={f"urgency.{k}": v for k, v in values.items()},
                             status=400)
    except TransitionError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("web_appeals.detail", number=number))
    if data["urgency"] == appeal.urgency:
        flash(f"{number} 紧急程度未变化", "error")
    else:
        set_urgency(appeal, data["urgency"], user, data["reason"])
        db.session.commit()
        flash(f"{number} 紧急程度已调整为{URGENCY_LABELS[appeal.urgency]}，时限已按新的紧急程度重新计算", "ok")
    return redirect(url_for("web_appeals.detail", number=number))


@blp.post("/<number>/handover")
@login_required(*HANDOVER_ROLES)
def handover(number):
    """登记已转 110/119/120 (三台联动), from the appeal page, the dispatch queue or the operator's read-back."""
    user = current_user()
    appeal = get_visible_appeal(user, number, for_update=True)
    back = request.form.get("back")
    back = back if back in HANDOVER_BACK else "detail"
    target = url_for(HANDOVER_BACK[back], **({} if back == "dispatch" else {"number": number}))
    note = request.form.get("note", "").strip()
    try:
        data = HandoverSchema().load({"services": request.form.getlist("services"), **({"note": note} if note else {})})
        check(appeal, "handover", user)
    except ValidationError as error:
        messages = [m for field in flat_errors(error.messages).values() for m in field]
        flash(f"{number}：{'；'.join(dict.fromkeys(messages))}", "error")
        return redirect(target)
    except TransitionError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(target)
    hand_over(appeal, data["services"], user, data["note"])
    db.session.commit()
    flash(f"{number} 已登记转 {'、'.join(data['services'])}", "ok")
    return redirect(target)


@blp.post("/<number>/extension")
@login_required(Role.handler)
def extension(number):
    """延期申请: a new completion date and a reason, decided by the supervision office."""
    user = current_user()
    appeal = get_visible_appeal(user, number, for_update=True)
    values = {name: request.form.get(name, "").strip() for name in ("new_due", "reason")}
    try:
        data = ExtensionRequestSchema().load({k: v for k, v in values.items() if v})
        request_extension(appeal, user, data["new_due"], data["reason"])
    except ValidationError as error:
        errors = {f"extension.{k}": v for k, v in flat_errors(error.messages).items()}
        return _refused(appeal, user, errors, values)
    except ExtensionError as error:
        db.session.rollback()
        return _refused(appeal, user, {"extension.new_due": [str(error)]}, values)
    db.session.commit()
    flash(f"{number} 已提交延期申请，待督查室审批", "ok")
    return redirect(url_for("web_appeals.detail", number=number))


def _refused(appeal, user, errors, values):
    return render_detail(appeal, user, errors=errors, values={f"extension.{k}": v for k, v in values.items()},
                         status=400)


@blp.post("/<number>/orders/<int:order_id>/respond")
@login_required(Role.handler)
def respond_order(number, order_id):
    """督办反馈 by the unit the order was issued to."""
    user = current_user()
    appeal = get_visible_appeal(user, number)
    order = orders.locked_order(order_id)
    if order is None or order.appeal_id != appeal.id:
        return redirect(url_for("web_appeals.detail", number=number))
    text = request.form.get("text", "").strip()
    try:
        TextSchema().load({"text": text} if text else {})
        orders.respond(order, user, text)
    except ValidationError as error:
        errors = {f"order-{order_id}": flat_errors(error.messages)["text"]}
        return render_detail(appeal, user, errors=errors, values={f"order-{order_id}": text}, status=400)
    except orders.OrderError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("web_appeals.detail", number=number))
    db.session.commit()
    flash(f"督办单 {order_id} 已反馈", "ok")
    return redirect(url_for("web_appeals.detail", number=number))
