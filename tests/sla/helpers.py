"""Appeals built directly in the test's session, dispatched under a frozen clock."""
import itertools
from datetime import datetime

from freezegun import freeze_time

from kernel.db import db
from kernel.vocabulary import Status
from models import Appeal
from sla.calendar import CHINA_TZ
from workflow.transitions import dispatch

_numbers = itertools.count(1)


def local(*args) -> datetime:
    """An aware datetime in Beijing time."""
    return datetime(*args, tzinfo=CHINA_TZ)


def make_appeal(world, *, urgency="normal", received_at=None, status=Status.manual) -> Appeal:
    appeal = Appeal(number=f"JCT-{next(_numbers):06d}", city=world.city, channel="hotline",
                    enterprise_name="金昌某某材料有限公司", complainant_name="张先生", complainant_phone="13812341234",
                    complainant_phone_hash="0" * 64, text="银行不给续贷", urgency=urgency, status=status,
                    received_at=received_at or local(2026, 11, 1, 9))
    db.session.add(appeal)
    db.session.flush()
    return appeal


def dispatched(world, at: datetime, unit="市工信局", **kwargs) -> Appeal:
    """An appeal dispatched to ``unit`` at ``at`` (the clock is frozen there while dispatching)."""
    appeal = make_appeal(world, received_at=at, **kwargs)
    with freeze_time(at):
        dispatch(appeal, world.units[unit], [], None)
        db.session.commit()
    return appeal
