"""Work queues in the order they should be worked: most urgent first, then longest waiting; in
the dispatch queue, appeals where life is in danger before all others.

The dispatch queue (manual dispatch and returned appeals) waits since it entered the queue
(`Appeal.queued_at`), a unit's queue since the appeal was (re)dispatched to it.
"""
from sqlalchemy import Select, case, func

from models import Appeal, Status

# emergency, urgent, normal and complex alike, consult.
URGENCY_ORDER = {"emergency": 0, "urgent": 1, "normal": 2, "complex": 2, "consult": 3}
DISPATCH_QUEUE = (Status.manual, Status.returned)
UNIT_QUEUE = (Status.dispatched, Status.accepted, Status.replied)
QUEUES = {"dispatch": "待人工分拨和已退单", "unit": "承办单位在办（已派单、已签收、已答复）"}


def urgency_rank():
    return case(URGENCY_ORDER, value=Appeal.urgency, else_=len(URGENCY_ORDER))


def in_queue(query: Select, queue: str) -> Select:
    """The appeals of `query` in the queue `dispatch` or `unit`, in working order."""
    if queue == "dispatch":
        waited_since = func.coalesce(Appeal.queued_at, Appeal.received_at)
        return query.where(Appeal.status.in_(DISPATCH_QUEUE)).order_by(
            Appeal.life_danger.desc(), urgency_rank(), waited_since, Appeal.id)
    return query.where(Appeal.status.in_(UNIT_QUEUE)).order_by(urgency_rank(), Appeal.dispatched_at, Appeal.id)
