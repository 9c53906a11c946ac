"""Creating a user (the role and unit rules): for the CLI, the admin pages, partners and the demo city."""
from sqlalchemy import select

from kernel.db import db
from models import City, Role, Unit, User


def create_user(username: str, role: str, city: City, unit: Unit | None = None, display_name: str = "") -> User:
    """Create a user after checking the role/unit rules; flushed, not committed."""
    if role == Role.handler and unit is None:
        raise ValueError("承办人必须绑定一个单位（--unit）")
    if role != Role.handler and unit is not None:
        raise ValueError("只有承办人（handler）可以绑定单位")
    if db.session.scalar(select(User).where(User.username == username)):
        raise ValueError(f"用户名「{username}」已存在")
    user = User(username=username, role=role, city=city, unit=unit, display_name=display_name or username)
    db.session.add(user)
    db.session.flush()
    return user
