"""A database outage is a 503 with Retry-After, never a 500 and never a false success."""
from flask import current_app, jsonify, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, PendingRollbackError, SQLAlchemyError

from kernel.http import error_payload

# A lost connection surfaces as one of these, depending on where the request was when it broke
# (a pending rollback: the transaction died with the connection earlier in the request).
UNAVAILABLE = (OperationalError, InterfaceError, PendingRollbackError)
# PostgreSQL's deadlock, serialisation failure and lock timeout: the database is up, the transaction
# was rolled back. Every appender of events queues on the appeal's row lock, so one is a bug to look at.
CONFLICTS = {"40P01", "40001", "55P03"}
READS = {"GET", "HEAD", "OPTIONS"}


def is_conflict(error) -> bool:
    return getattr(getattr(error, "orig", None), "sqlstate", None) in CONFLICTS


def outage_message(error, what: str = "提交") -> str:
    """The 503's message: a read changes nothing, so it never says that something was not saved
    (a read of full complainant data whose log entry failed is refused, not lost)."""
    conflict = is_conflict(error)
    if conflict:
        current_app.logger.error("transaction conflict: %s", error)
    else:
        current_app.logger.warning("database unavailable: %s", type(error).__name__)
    cause = "系统繁忙" if conflict else "系统数据库暂时不可用"
    if request.method in READS:
        return f"{cause}，请稍后重试"
    return f"{cause}，本次{what}未保存，请稍后重试"


def handle_database_unavailable(error):
    session = current_app.extensions["sqlalchemy"].session
    try:
        session.rollback()
    except SQLAlchemyError:
        # Rolling back on a dead connection can fail too: drop the connection, still answer 503.
        session.invalidate()
    response = jsonify(error_payload(503, outage_message(error)))
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
