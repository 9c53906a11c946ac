"""Demo data beyond the users: a handler account for every routable unit of the demo city and a
handful of appeals in every state, so each role's pages have work on the first `make run`.

Idempotent: a unit that has a handler gets no other, and each demo appeal has a fixed
``external_id`` (``demo-<key>``): one already stored is left as it is."""
from datetime import timedelta

from sqlalchemy import select

from accounts.passwords import set_password
from accounts.users import create_user
from intake.schemas import AppealInSchema
from intake.service import submit
from kernel.db import db
from models import Appeal, City, Role, Unit, User
from models.base import utcnow
from models.city import unit_named
from sla.service import compute
from supervision.followup import record_follow_up
from workflow.transitions import dispatch, perform, to_manual

REPLY = "经协调，相关部门已按政策办理，并电话告知企业。"
# key: (unit, steps, enterprise, text). Steps after dispatch are the lead unit's actions; "manual"
# stays in the manual-dispatch queue, "rated" is followed up by the enterprise, "overdue" is
# dispatched with its clock started a month ago (red).
APPEALS = {
    "manual": (None, ("manual",), "金昌某某新能源科技有限公司",
               "想咨询企业新招用高校毕业生能享受哪些补贴，到哪里办理。"),
    "dispatched": ("市工信局", (), "金昌某某材料有限公司",
                   "银行突然不给续贷了，厂子下个月工资都发不出来，请帮忙协调。"),
    "accepted": ("市市场监管局", ("accept",), "金昌某某食品有限公司",
                 "食品经营许可证延续申请提交半个月了，系统一直显示审核中。"),
    "replied": ("市财政局", ("accept", "reply"), "金昌某某机械制造有限公司",
                "去年的技改专项资金到现在还没有拨付，请问进度。"),
    "rated": ("市商务局", ("accept", "reply", "close", "rated"), "金昌某某贸易有限公司",
              "外贸企业出口信用保险保费补贴怎么申报？"),
    "closed": ("市工信局", ("accept", "reply", "close"), "金昌某某化工有限公司",
               "园区内企业用电增容申请，供电公司迟迟不答复。"),
    "returned": ("市人社局", ("return",), "金昌某某建材有限公司",
                 "厂区门口道路坑洼，大货车进出困难，请求修缮。"),
    "overdue": ("市科技局", ("overdue",), "金昌某某电子有限公司",
                "高新技术企业认定的奖励资金申请后一直没有消息。"),
}


def ensure_handlers(city: City, password: str) -> int:
    """A handler account (handler-u<unit id>) for each routable unit of the city without one."""
    staffed = select(User.unit_id).where(User.role == Role.handler, User.unit_id.is_not(None))
    units = db.session.scalars(select(Unit).where(Unit.city_id == city.id, Unit.routable.is_(True),
                                                  Unit.retired_at.is_(None), Unit.id.not_in(staffed)))
    made = 0
    for unit in units.all():
        user = create_user(f"handler-u{unit.id}", Role.handler, city, unit, f"{unit.name}承办人")
        set_password(user, password)
        made += 1
    return made


def _handler_of(unit: Unit) -> User:
    return db.session.scalar(select(User).where(User.role == Role.handler, User.unit_id == unit.id).order_by(User.id))


def ensure_appeals(city: City, operator: User) -> int:
    """The demo appeals not stored yet, each brought to its state; how many were made."""
    made = 0
    for key, (unit_name, steps, enterprise, text) in APPEALS.items():
        data = AppealInSchema().load({
            "city": city.name, "channel": "hotline", "external_id": f"demo-{key}", "urgency": "normal",
            "enterprise": {"name": enterprise}, "complainant": {"name": "王先生", "phone": "13800000000"},
            "text": text})
        appeal, created = submit(data, operator)
        if not created:
            continue
        appeal = db.session.scalar(select(Appeal).where(Appeal.id == appeal.id).with_for_update())
        _bring_to(appeal, unit_named(city.id, unit_name) if unit_name else None, steps)
        db.session.commit()
        made += 1
    return made


def _bring_to(appeal: Appeal, unit: Unit | None, steps: tuple[str, ...]) -> None:
    if steps == ("manual",):
        to_manual(appeal, "演示：待人工分拨")
        return
    dispatch(appeal, unit, [], None, reason="演示数据")
    handler = _handler_of(unit)
    for step in steps:
        if step == "overdue":  # as if dispatched a month ago: past its completion deadline
            appeal.clock.started_at = appeal.dispatched_at = utcnow() - timedelta(days=30)
            compute(appeal.clock)
        elif step == "rated":
            record_follow_up(appeal, True, "satisfied", None, "web", "办得很快，谢谢")
        else:
            reason = {"reply": REPLY, "return": "道路维修不属本单位职责，建议派住建或交通部门"}.get(step)
            perform(appeal, step, handler, reason=reason)
