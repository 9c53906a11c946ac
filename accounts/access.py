"""Who sees which appeal, and who sees the complainant in full."""
from flask_smorest import abort
from sqlalchemy import Select, or_, select

from kernel.db import db
from models import Appeal, Role, User, appeal_assisting_units

# Roles that see complainant data in full; each such read is written to the event log.
FULL_COMPLAINANT_ROLES = {Role.operator, Role.supervisor, Role.admin}


def visible_appeals(user: User) -> Select:
    """Appeals the user may see: handlers only their unit's, partners only their own submissions."""
    query = select(Appeal).where(Appeal.city_id == user.city_id)
    if user.role == Role.handler:
        assisted = select(appeal_assisting_units.c.appeal_id).where(
            appeal_assisting_units.c.unit_id == user.unit_id
        )
        query = query.where(or_(Appeal.lead_unit_id == user.unit_id, Appeal.id.in_(assisted)))
    elif user.role == Role.partner:
        query = query.where(Appeal.created_by_id == user.id)
    return query


def get_visible_appeal(user: User, number: str, for_update: bool = False) -> Appeal:
    """The appeal, or 404 when it does not exist or the user may not see it (never 403: no oracle)."""
    query = visible_appeals(user).where(Appeal.number == number)
    if for_update:
        query = query.with_for_update(of=Appeal)
    appeal = db.session.scalar(query)
    if appeal is None:
        abort(404, message=f"未找到诉求 {number}")
    return appeal


def sees_full_complainant(user: User) -> bool:
    return user.role in FULL_COMPLAINANT_ROLES
