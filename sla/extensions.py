"""Extension requests (延期): the lead unit asks before the deadline with a reason and a new
date; the supervision office approves or refuses. While a request is pending the clock runs on
the current deadline. Every rule is checked again at approval, against the time of asking."""
from datetime import date, datetime

from events.log import record
from kernel.vocabulary import Status
from models import Appeal, User
from models.base import utcnow
from sla import service
from sla.calendar import CalendarError
from sla.deadlines import ExtensionError, check_extension
from sla.rules import rules_from_dict

EXTENDABLE = (Status.dispatched, Status.accepted, Status.replied)


def _check(appeal: Appeal, new_due: date | datetime, reason: str, asked_at: datetime, calendar) -> datetime:
    clock = appeal.clock
    if appeal.status not in EXTENDABLE or clock is None or not clock.open:
        raise ExtensionError("诉求不在办理中，不能延期")
    if clock.pending:
        raise ExtensionError("时限待定的诉求不能申请延期")
    rule = rules_from_dict(clock.rule_set.rules)[appeal.urgency]
    # The office decides every extension, so rules reserved to it (emergency) are satisfied.
    try:
        return check_extension(rule, started_at=clock.started_at, current_due=clock.completion_due, new_due=new_due,
                               asked_at=asked_at, reason=reason, granted_before=clock.extensions_granted,
                               calendar=calendar, by_supervision=True)
    except CalendarError as error:  # a date in a year without holiday data: refused, not a 500
        raise ExtensionError(str(error)) from None


def request_extension(appeal: Appeal, user: User, new_due: date | datetime, reason: str) -> None:
    """The lead unit asks; ExtensionError (Chinese message) when the rules do not allow it."""
    if appeal.lead_unit_id != user.unit_id:
        raise ExtensionError("只有主办单位可以申请延期")
    clock = appeal.clock
    if clock is not None and clock.extension_due is not None:
        raise ExtensionError("已有待审批的延期申请")
    now = utcnow()
    calendar = service.city_calendar(appeal.city_id)
    local_due = _check(appeal, new_due, reason, now, calendar)
    clock.extension_due, clock.extension_reason, clock.extension_asked_at = service._utc(local_due), reason, now
    record(appeal, "extension_request", user, from_status=appeal.status, reason=reason,
           data={"current_due": clock.completion_due.isoformat(), "requested_due": clock.extension_due.isoformat()})


def decide(appeal: Appeal, user: User, approve: bool, note: str | None) -> None:
    """The supervision office approves (new completion deadline) or refuses the pending request."""
    clock = appeal.clock
    if clock is None or clock.extension_due is None:
        raise ExtensionError("没有待审批的延期申请")
    data = {"current_due": clock.completion_due.isoformat(), "requested_due": clock.extension_due.isoformat()}
    if approve:
        calendar = service.city_calendar(appeal.city_id)
        local_due = _check(appeal, clock.extension_due, clock.extension_reason, clock.extension_asked_at, calendar)
        service.set_completion_due(clock, local_due, calendar)
        clock.extensions_granted += 1
        clock.extended = True
        # The new deadline may turn the appeal green again; later changes are recorded anew.
        clock.last_colour = service.completion_colour(clock, utcnow(), calendar)
        clock.supervision_opened = False
    clock.extension_due = clock.extension_reason = clock.extension_asked_at = None
    record(appeal, "extension_approve" if approve else "extension_refuse", user, from_status=appeal.status,
           reason=note, data=data)
