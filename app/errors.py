"""A database outage is a 503 with Retry-After, never a 500 and never a false success."""
from flask import current_app, jsonify
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, PendingRollbackError, SQLAlchemyError

from app.api import error_payload

# A lost connection surfaces as one of these, depending on where the request was when it broke
# (a pending rollback: the transaction died with the connection earlier in the request).
UNAVAILABLE = (OperationalError, InterfaceError, PendingRollbackError)


def handle_database_unavailable(error):
    session = current_app.extensions["sqlalchemy"].session
    try:
        session.rollback()
    except SQLAlchemyError:
        # Rolling back on a dead connection can fail too: drop the connection, still answer 503.
        session.invalidate()
    current_app.logger.warning("database unavailable: %s", type(error).__name__)
    response = jsonify(error_payload(503, "系统数据库暂时不可用，本次提交未保存，请稍后重试"))
    response.status_code = 503
    response.headers["Retry-After"] = "5"
    return response


def handle_other_database_error(error: DBAPIError):
    """Any other driver error that SQLAlchemy recognised as a lost connection is an outage too;
    the rest are bugs (500)."""
    if error.connection_invalidated:
        return handle_database_unavailable(error)
    raise error


def register(app) -> None:
    for error in UNAVAILABLE:
        app.register_error_handler(error, handle_database_unavailable)
    app.register_error_handler(DBAPIError, handle_other_database_error)
