"""Who is signed in to the pages: a signed session cookie holding the user id and a stamp.

The cookie is signed, not stored, so the server ends sessions through the stamp: it changes with
the user's password and with their session epoch, which signing out raises. A saved cookie is
then refused on its next request, on every device (docs/operations.md, sessions).
"""
import hashlib
from functools import wraps

from flask import abort, g, redirect, request, session, url_for
from sqlalchemy import update

from kernel.db import db
from models import Role, User

ROLE_HOMES = {
    Role.operator: "web_operator.console",
    Role.dispatcher: "web_dispatch.queue",
    Role.handler: "web_unit.queue",
    Role.supervisor: "web_supervision.lists",
    Role.admin: "web_admin.users",
}
STAFF = (Role.operator, Role.dispatcher, Role.handler, Role.supervisor, Role.admin)
OPERATORS = (Role.operator, Role.admin)  # the operator console and the follow-up calls


def _stamp(user: User) -> str:
    """Changes with the password and the session epoch: either ends every session of the user."""
    return hashlib.sha256(f"{user.session_epoch}:{user.password_hash or ''}".encode()).hexdigest()[:16]


def sign_in(user: User) -> None:
    session.clear()
    session.permanent = True
    session["uid"] = user.id
    session["stamp"] = _stamp(user)


def sign_out() -> None:
    """End the session here and, through the epoch, every copy of its cookie."""
    user = current_user()
    if user is not None:
        end_sessions(user)
        db.session.commit()
    session.clear()


def end_sessions(user: User) -> None:
    """Make every page session of the user invalid (flushed; committed by the caller)."""
    db.session.execute(update(User).where(User.id == user.id).values(session_epoch=User.session_epoch + 1))
    db.session.expire(user, ["session_epoch"])


def current_user() -> User | None:
    if "web_user" not in g:
        user = db.session.get(User, session["uid"]) if "uid" in session else None
        if user is not None and (not user.active or session.get("stamp") != _stamp(user)):
            session.clear()
            user = None
        g.web_user = user
    return g.web_user


def home_endpoint(user: User) -> str | None:
    return ROLE_HOMES.get(user.role)


def login_required(*roles: str):
    """Pages for signed-in staff; with roles, only those roles (others get 403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user()
            if user is None:
                return redirect(url_for("web_auth.login", next=request.full_path.rstrip("?")))
            if user.role not in (roles or STAFF):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
