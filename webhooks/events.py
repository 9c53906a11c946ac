"""Outbound events: every new appeal event that subscribers care about becomes one delivery per
matching subscription, in the same transaction as the event (workflow and sla know nothing of
webhooks). The first attempt is queued through the outbox, so it leaves only after commit.

Who hears what: the units holding the appeal (lead and assisting; for a return, the unit that
returned it) and the partner that submitted it. Payloads carry no complainant data at all.
"""
from uuid import uuid4

from sqlalchemy import event, select
from sqlalchemy.orm import Session, joinedload

from jobs import outbox
from kernel.db import batch_read
from kernel.vocabulary import STATUS_LABELS, URGENCY_LABELS
from models import Appeal, AppealEvent, Delivery, Partner, Subscription, Unit
from models.base import utcnow
from sla.service import appeal_clock
from webhooks.config import setting

EVENT_TYPES = {
    "route": "appeal.dispatched",
    "assign": "appeal.dispatched",
    "return": "appeal.returned",
    "sla_yellow": "appeal.yellow",
    "sla_red": "appeal.red",
    "close": "appeal.closed",
    "follow_up": "appeal.followed_up",
    "supervision_open": "supervision.opened",
}
ALL_EVENT_TYPES = sorted(set(EVENT_TYPES.values()))
# Event details safe for every subscriber; anything else in an event's data stays inside.
SHARED_DATA = ("lead_unit", "assisting_units", "returned_by_unit", "unit", "completion_due", "solved", "rating",
               "kind", "order")
FIRST_ATTEMPT_JOB = "webhook_first_attempt"  # registered by webhooks.delivery


def _iso(value):
    return value.isoformat() if value is not None else None


def deadline(appeal: Appeal) -> dict | None:
    clock = appeal_clock(appeal)
    if clock["due"] is None:
        return None
    return {"completion_due": _iso(clock["due"]), "colour": clock["colour"]}


def build_payload(appeal: Appeal, appeal_event: AppealEvent, event_type: str, key: str,
                  partner: Partner | None) -> dict:
    data = appeal_event.data or {}
    body = {
        "number": appeal.number,
        "city": appeal.city.name,
        "channel": appeal.channel,
        "status": appeal.status,
        "status_label": STATUS_LABELS[appeal.status],
        "urgency": appeal.urgency,
        "urgency_label": URGENCY_LABELS[appeal.urgency],
        "enterprise": {"name": appeal.enterprise_name, "uscc": appeal.enterprise_uscc},
        "lead_unit": appeal.lead_unit.name if appeal.lead_unit else None,
        "assisting_units": [u.name for u in appeal.assisting_units],
        "received_at": _iso(appeal.received_at),
        "dispatched_at": _iso(appeal.dispatched_at),
        "closed_at": _iso(appeal.closed_at),
        "deadline": deadline(appeal),
    }
    namespace = f"{partner.slug}:" if partner else None
    if namespace and (appeal.external_id or "").startswith(namespace):
        body["external_id"] = appeal.external_id[len(namespace):]
    return {
        "id": key,
        "type": event_type,
        "occurred_at": _iso(appeal_event.created_at),
        "appeal": body,
        "event": {"seq": appeal_event.seq, "action": appeal_event.action, "to_status": appeal_event.to_status,
                  "data": {k: data[k] for k in SHARED_DATA if k in data}},
    }


def _unit_ids(session: Session, appeal: Appeal, appeal_event: AppealEvent) -> set[int]:
    ids = {u.id for u in appeal.assisting_units}
    if appeal.lead_unit_id is not None:
        ids.add(appeal.lead_unit_id)
    returned_by = (appeal_event.data or {}).get("returned_by_unit")
    if appeal_event.action == "return" and returned_by:
        unit_id = session.scalar(select(Unit.id).where(Unit.city_id == appeal.city_id, Unit.name == returned_by))
        if unit_id is not None:
            ids.add(unit_id)
    return ids


def city_subscriptions(session: Session, city_id: int) -> list[Subscription]:
    """The city's active subscriptions with their partners, in id order: once per batch of jobs
    (kernel.db.batch_read), so a dispatch batch in a city without any asks once."""
    return batch_read(("webhook_subscriptions", city_id), lambda: session.scalars(
        select(Subscription).where(Subscription.city_id == city_id, Subscription.active.is_(True))
        .options(joinedload(Subscription.partner)).order_by(Subscription.id)).all())


def create_deliveries(session: Session, appeal_event: AppealEvent) -> list[Delivery]:
    event_type = EVENT_TYPES[appeal_event.action]
    appeal = session.get(Appeal, appeal_event.appeal_id)
    listening = [s for s in city_subscriptions(session, appeal.city_id) if event_type in s.event_types]
    if not listening:
        return []
    # The units holding the appeal, and the partner that submitted it.
    unit_ids = _unit_ids(session, appeal, appeal_event)
    subscriptions = [s for s in listening if s.unit_id in unit_ids
                     or (appeal.created_by_id and s.partner_id and s.partner.user_id == appeal.created_by_id)]
    deliveries = []
    for subscription in subscriptions:
        key = str(uuid4())
        delivery = Delivery(
            key=key, subscription=subscription, event_type=event_type, appeal_id=appeal.id,
            event_id=appeal_event.id, attempt_limit=setting("WEBHOOK_MAX_ATTEMPTS"), next_attempt_at=utcnow(),
            payload=build_payload(appeal, appeal_event, event_type, key,
                                  subscription.partner if subscription.partner_id else None),
        )
        session.add(delivery)
        outbox.add(FIRST_ATTEMPT_JOB, key)
        deliveries.append(delivery)
    return deliveries


@event.listens_for(Session, "after_flush")
def _collect(session, flush_context):
    new = [obj for obj in session.new if isinstance(obj, AppealEvent) and obj.action in EVENT_TYPES]
    if new:
        session.info.setdefault("webhook_events", []).extend(new)


@event.listens_for(Session, "after_flush_postexec")
def _fan_out(session, flush_context):
    """Add the deliveries (flushed by the next flush, at the latest by commit)."""
    events = session.info.pop("webhook_events", None)
    if events:
        with session.no_autoflush:
            for appeal_event in events:
                create_deliveries(session, appeal_event)


@event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop("webhook_events", None)
