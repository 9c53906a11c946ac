"""Supervision orders: opened by the scan, by a second failed follow-up, or by the office;
the unit responds; the office closes them. Each step is in the appeal's event log."""
from sqlalchemy import select

from events.log import record
from kernel.db import db
from models import Appeal, Role, SupervisionOrder, User
from models.base import utcnow

# The events that give the appeal to a (new) lead unit: workflow.transitions.dispatch.
DISPATCH_ACTIONS = frozenset({"assign", "route"})
KINDS = {"overdue": "超期督办", "follow_up": "回访不满意督办", "manual": "督查室督办"}
STATUS_LABELS = {"open": "待反馈", "responded": "已反馈", "closed": "已办结"}


class OrderError(Exception):
    """A step the order's state or the user does not allow; message for the user, HTTP status."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message, self.status = message, status


def locked_order(order_id: int) -> SupervisionOrder | None:
    """The order, its appeal's row locked first and then its own: the event log's lock order
    (events.log.lock_appeal), so a step on an order never deadlocks with a transition."""
    appeal_id = db.session.scalar(select(SupervisionOrder.appeal_id).where(SupervisionOrder.id == order_id))
    if appeal_id is None:
        return None
    db.session.get(Appeal, appeal_id, with_for_update=True, populate_existing=True)
    return db.session.get(SupervisionOrder, order_id, with_for_update=True, populate_existing=True)


def open_order(appeal: Appeal, kind: str, reason: str, actor: User | None) -> SupervisionOrder:
    order = SupervisionOrder(appeal=appeal, city_id=appeal.city_id, unit_id=appeal.lead_unit_id, kind=kind,
                             reason=reason, opened_by_id=actor.id if actor else None, opened_at=utcnow())
    db.session.add(order)
    db.session.flush()
    record(appeal, "supervision_open", actor, from_status=appeal.status, reason=reason,
           data={"order": order.id, "kind": kind, "unit": appeal.lead_unit.name if appeal.lead_unit else None})
    return order


def follow_appeal(appeal: Appeal, actor: User | None) -> None:
    """After a (re)dispatch, the appeal's orders not yet closed go with it to its new lead unit:
    the unit now holding the appeal answers them (the one it left can no longer act on it).
    Each move is a `supervision_transfer` event naming both units."""
    moving = db.session.scalars(select(SupervisionOrder).where(
        SupervisionOrder.appeal_id == appeal.id, SupervisionOrder.status != "closed",
        SupervisionOrder.unit_id.is_distinct_from(appeal.lead_unit_id)).order_by(SupervisionOrder.id)).all()
    for order in moving:
        before = order.unit.name if order.unit else None
        order.unit = appeal.lead_unit
        record(appeal, "supervision_transfer", actor, from_status=appeal.status,
               reason=f"诉求改派，督办单转由{appeal.lead_unit.name}办理",
               data={"order": order.id, "from_unit": before, "to_unit": appeal.lead_unit.name})


def follow_dispatch(appeal: Appeal, event, actor: User | None, **_) -> None:
    """Receiver of events.signals.event_recorded (connected by supervision.init_app): after a
    dispatch event, in the same transaction, the open orders follow the appeal."""
    if event.action in DISPATCH_ACTIONS:
        follow_appeal(appeal, actor)


def respond(order: SupervisionOrder, user: User, text: str) -> None:
    if user.role == Role.handler and user.unit_id != order.unit_id:
        raise OrderError("只有被督办单位可以反馈", 403)
    if order.status == "closed":
        raise OrderError("督办单已办结，不能再反馈")
    order.status, order.response, order.responded_at = "responded", text, utcnow()
    record(order.appeal, "supervision_respond", user, from_status=order.appeal.status, reason=text,
           data={"order": order.id})


def close(order: SupervisionOrder, user: User, conclusion: str) -> None:
    if order.status == "closed":
        raise OrderError("督办单已办结")
    order.status, order.conclusion, order.closed_at = "closed", conclusion, utcnow()
    record(order.appeal, "supervision_close", user, from_status=order.appeal.status, reason=conclusion,
           data={"order": order.id})


def order_view(order: SupervisionOrder) -> dict:
    return {
        "id": order.id,
        "appeal": order.appeal.number,
        "unit": order.unit.name if order.unit else None,
        "kind": order.kind,
        "kind_label": KINDS[order.kind],
        "status": order.status,
        "status_label": STATUS_LABELS[order.status],
        "reason": order.reason,
        "response": order.response,
        "conclusion": order.conclusion,
        "opened_at": order.opened_at,
        "responded_at": order.responded_at,
        "closed_at": order.closed_at,
    }
