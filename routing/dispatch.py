"""The dispatch job: route one received appeal, exactly once."""
from app.extensions import db
from models import Appeal, Status
from workflow.transitions import to_manual

MANUAL_REASON = "待人工分拨：自动分拨尚未启用"


def dispatch_appeal(appeal_id: int) -> None:
    """Run inside `jobs.outbox.run`'s transaction; an appeal already routed is left alone."""
    appeal = db.session.get(Appeal, appeal_id, with_for_update=True)
    if appeal is None or appeal.status != Status.received:
        return
    to_manual(appeal, MANUAL_REASON)
