"""Follow-up (回访) of a closed appeal: solved or not, and how satisfied. An unsolved or
dissatisfied answer reopens the appeal once (重办, a new unit clock); a second failure opens a
supervision order instead. A phone call that does not reach the enterprise is logged and the
appeal stays in the operators' follow-up list."""
from sqlalchemy import Select, or_

from events.log import record
from kernel.db import db
from kernel.vocabulary import Status
from models import Appeal, AppealClock, FollowUp, User
from models.base import utcnow
from sla import service as sla
from supervision.orders import open_order
from workflow.transitions import TRANSITIONS

RATINGS = {"satisfied": "满意", "fairly_satisfied": "基本满意", "dissatisfied": "不满意"}
CHANNELS = {"phone": "电话回访", "miniprogram": "微信小程序", "web": "网上回访"}


class FollowUpError(Exception):
    """A follow-up that cannot be recorded now; the message is for the user (HTTP 409)."""


def record_follow_up(appeal: Appeal, solved: bool, rating: str, actor: User | None, channel: str,
                     note: str | None = None) -> FollowUp:
    """Record the enterprise's answer, reopen or escalate as the rules say; the caller commits.
    ``actor`` is None when the enterprise answers on the public page."""
    if rating not in RATINGS:
        raise FollowUpError(f"满意度须为 {'、'.join(RATINGS.values())} 之一")
    if channel not in CHANNELS:
        raise FollowUpError(f"回访渠道须为 {'、'.join(CHANNELS)} 之一")
    check_awaiting(appeal)
    clock = appeal.clock
    now = utcnow()
    follow_up = FollowUp(appeal_id=appeal.id, solved=solved, rating=rating, channel=channel, note=note,
                         actor_id=actor.id if actor else None, created_at=now)
    db.session.add(follow_up)
    clock.solved, clock.rating, clock.followed_up_at = solved, rating, now
    answer = f"{'已解决' if solved else '未解决'}，{RATINGS[rating]}"
    record(appeal, "follow_up", actor, from_status=appeal.status, reason=note or answer,
           data={"solved": solved, "rating": rating, "channel": channel})
    if solved and rating != "dissatisfied":
        return follow_up
    if clock.reopens == 0:
        _reopen(appeal, actor, answer)
    else:
        open_order(appeal, "follow_up", f"重办后回访仍{answer}，转督查室督办", actor)
    return follow_up


def record_unreached(appeal: Appeal, actor: User, note: str | None = None) -> None:
    """A follow-up call that did not reach the enterprise: logged, the appeal still awaits its
    follow-up; the caller commits."""
    check_awaiting(appeal)
    record(appeal, "follow_up_unreached", actor, from_status=appeal.status, reason=note or "电话未接通",
           data={"channel": "phone"})


def awaiting_follow_up(query: Select) -> Select:
    """The closed appeals of ``query`` not followed up since their last closing (order: FOLLOW_UP_ORDER)."""
    return query.join(AppealClock, AppealClock.appeal_id == Appeal.id).where(
        Appeal.status == Status.closed,
        or_(AppealClock.followed_up_at.is_(None), AppealClock.followed_up_at < Appeal.closed_at))


# Oldest closing first: the longest-waiting enterprise is called first.
FOLLOW_UP_ORDER = (Appeal.closed_at, Appeal.id)


def check_awaiting(appeal: Appeal) -> None:
    if appeal.status != Status.closed or appeal.clock is None:
        raise FollowUpError("诉求尚未办结，不能回访")
    clock = appeal.clock
    if clock.followed_up_at is not None and clock.followed_up_at >= appeal.closed_at:
        raise FollowUpError("本次办结已回访过")


def _reopen(appeal: Appeal, actor: User | None, answer: str) -> None:
    before = appeal.status
    appeal.status = TRANSITIONS["reopen"].target
    appeal.accepted_at = appeal.replied_at = appeal.closed_at = None
    appeal.dispatched_at = utcnow()
    sla.start_clock(appeal, reopen=True)
    record(appeal, "reopen", actor, from_status=before, reason=f"回访{answer}，重办",
           data={"lead_unit": appeal.lead_unit.name if appeal.lead_unit else None})
