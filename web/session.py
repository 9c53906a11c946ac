"""Who is signed in to the pages: a signed session cookie holding the user id and a password stamp."""
import hashlib
from functools import wraps

from flask import abort, g, redirect, request, session, url_for

from app.extensions import db
from models import Role, User

ROLE_HOMES = {
    Role.operator: "web_operator.console",
    Role.dispatcher: "web_dispatch.queue",
    Role.handler: "web_unit.queue",
    Role.supervisor: "web_supervision.lists",
    Role.admin: "web_admin.users",
}
STAFF = (Role.operator, Role.dispatcher, Role.handler, Role.supervisor, Role.admin)


def _stamp(user: User) -> str:
    """Changes with the password, so a new password signs out every other session."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def sign_in(user: User) -> None:
    session.clear()
    session.permanent = True
    session["uid"] = user.id
    session["stamp"] = _stamp(user)


def sign_out() -> None:
    session.clear()


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
