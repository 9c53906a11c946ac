"""The appeal lifecycle as data: which action moves which state to which, and who may take it."""
from dataclasses import dataclass

from events.log import record
from kernel.vocabulary import Status
from models import Appeal, Role, Unit, User
from models.base import utcnow
from sla import service as sla


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the state does not change (an event is still recorded)
    roles: frozenset[str]
    label: str


def _t(sources, target, roles, label):
    return Transition(frozenset(sources), target, frozenset(roles), label)


OPEN = {Status.received, Status.manual, Status.dispatched, Status.accepted, Status.replied, Status.returned}

TRANSITIONS = {
    # 派单/改派: a dispatcher sends a manual, returned or misrouted appeal to a lead unit.
    "assign": _t({Status.manual, Status.returned, Status.dispatched, Status.accepted}, Status.dispatched,
                 {Role.dispatcher, Role.admin}, "派单"),
    "accept": _t({Status.dispatched}, Status.accepted, {Role.handler}, "签收"),
    "contact": _t({Status.accepted}, None, {Role.handler}, "首次联系"),
    "return": _t({Status.dispatched, Status.accepted}, Status.returned, {Role.handler}, "退单"),
    "reply": _t({Status.accepted}, Status.replied, {Role.handler}, "答复"),
    "close": _t({Status.replied}, Status.closed, {Role.handler}, "办结"),
    # 重办: an unsolved or dissatisfied follow-up sends the appeal back to its unit, once
    # (supervision.followup; the enterprise itself may answer the follow-up).
    "reopen": _t({Status.closed}, Status.dispatched, {Role.operator, Role.admin, Role.partner}, "重办"),
    # 调整紧急程度: the deadlines follow (sla.service.change_urgency).
    "set_urgency": _t(OPEN, None, {Role.dispatcher, Role.supervisor, Role.admin}, "调整紧急程度"),
    # 更正属地: the dispatcher corrects the appeal's territory (routing/territory.py).
    "set_territory": _t(OPEN, None, {Role.dispatcher, Role.admin}, "更正属地"),
    # 三台联动: the appeal was also passed to 110/119/120.
    "handover": _t(OPEN, None, {Role.operator, Role.dispatcher, Role.supervisor, Role.admin},
                  "登记已转 110/119/120"),
}
EMERGENCY_SERVICES = {"110": "110（公安）", "119": "119（消防）", "120": "120（急救）"}

STAMPS = {"accept": "accepted_at", "reply": "replied_at", "close": "closed_at"}


class TransitionError(Exception):
    """An action that the appeal's state or the user's role does not allow (HTTP 409 or 403)."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status


def check(appeal: Appeal, action: str, user: User) -> Transition:
    from kernel.vocabulary import STATUS_LABELS

    transition = TRANSITIONS[action]
    if user.role not in transition.roles:
        raise TransitionError(f"当前角色无权{transition.label}", 403)
    if user.role == Role.handler and appeal.lead_unit_id != user.unit_id:
        raise TransitionError(f"只有主办单位可以{transition.label}，协办单位请与主办单位联系", 403)
    if appeal.status not in transition.sources:
        raise TransitionError(f"诉求当前状态为「{STATUS_LABELS[appeal.status]}」，不能{transition.label}")
    return transition


def perform(appeal: Appeal, action: str, user: User, *, reason: str | None = None, data: dict | None = None):
    """Apply a handler's or dispatcher's action and record it; the caller commits."""
    transition = check(appeal, action, user)
    before = appeal.status
    now = utcnow()
    if transition.target is not None:
        appeal.status = transition.target
    if action in STAMPS:
        setattr(appeal, STAMPS[action], now)
    if action == "contact" and appeal.first_response_at is None:
        appeal.first_response_at = now
    if action == "reply":
        appeal.reply = reason
    if action == "return":
        # Back to the dispatchers: the unit's clock stops and the unit no longer holds the appeal.
        data = {**(data or {}), "returned_by_unit": appeal.lead_unit.name if appeal.lead_unit else None}
        appeal.lead_unit = None
        appeal.assisting_units = []
        appeal.queued_at = now
        sla.stop_clock(appeal, returned=True)
    if action == "close":
        sla.stop_clock(appeal)
    return record(appeal, action, user, from_status=before, reason=reason, data=data)


def dispatch(appeal: Appeal, lead: Unit, assisting: list[Unit], actor: User | None, *,
             action: str = "assign", reason: str | None = None, data: dict | None = None):
    """Give the appeal to its lead unit (router or dispatcher); the caller has checked permission."""
    before = appeal.status
    appeal.lead_unit = lead
    appeal.assisting_units = [u for u in assisting if u.id != lead.id]
    appeal.status = Status.dispatched
    appeal.dispatched_at = utcnow()
    appeal.accepted_at = None
    appeal.queued_at = None
    sla.start_clock(appeal)
    details = {"lead_unit": lead.name, "assisting_units": [u.name for u in appeal.assisting_units]}
    # Supervision's open orders follow the appeal (supervision.orders.follow_dispatch, on the signal).
    return record(appeal, action, actor, from_status=before, reason=reason, data={**details, **(data or {})})


def to_manual(appeal: Appeal, reason: str, data: dict | None = None):
    """Put the appeal in the manual-dispatch queue (人工分拨)."""
    before = appeal.status
    appeal.status = Status.manual
    appeal.queued_at = utcnow()
    return record(appeal, "to_manual", None, from_status=before, reason=reason, data=data)


def set_urgency(appeal: Appeal, urgency: str, actor: User | None, reason: str, data: dict | None = None):
    """A new urgency (a dispatcher's or supervisor's judgement, or the router's where no operator
    judged it); the running unit clock's deadlines follow and are recorded with the event."""
    before = appeal.urgency
    appeal.urgency = urgency
    dues = sla.change_urgency(appeal)
    return record(appeal, "set_urgency", actor, from_status=appeal.status, reason=reason,
                  data={"from": before, "to": urgency, **dues, **(data or {})})


def set_territory(appeal: Appeal, unit: Unit | None, actor: User, reason: str):
    """The dispatcher's territory (属地) for the appeal. When the former territory takes part in the
    handling as an assisting unit, the new one takes its place (a territory leading is re-assigned
    with 派单 instead)."""
    before = appeal.territory_unit
    if before is not None and before in appeal.assisting_units and unit is not None:
        appeal.assisting_units = [unit if u is before else u for u in appeal.assisting_units]
    elif before is not None and before in appeal.assisting_units:
        appeal.assisting_units = [u for u in appeal.assisting_units if u is not before]
    appeal.territory_unit, appeal.territory_source = unit, "dispatcher" if unit else None
    return record(appeal, "set_territory", actor, from_status=appeal.status, reason=reason,
                  data={"from": before.name if before else None, "to": unit.name if unit else None,
                        "assisting_units": [u.name for u in appeal.assisting_units]})


def hand_over(appeal: Appeal, services: list[str], actor: User, note: str | None = None):
    """已转 110/119/120: which services, when and by whom, in the history; the appeal keeps every
    service it was passed to and the latest time."""
    now = utcnow()
    services = sorted(set(services))
    earlier = (appeal.handover or {}).get("services", [])
    appeal.handover = {"services": sorted({*earlier, *services}), "at": now.isoformat(),
                       "by": actor.display_name or actor.username}
    return record(appeal, "handover", actor, from_status=appeal.status, reason=note,
                  data={"services": services})
