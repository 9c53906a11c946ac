"""A database outage is a 503 with Retry-After, never a 500 and never a false success."""
from flask import current_app, jsonify
from sqlalchemy.exc import InterfaceError, OperationalError

from app.api import error_payload


def handle_database_unavailable(error):
    current_app.extensions["sqlalchemy"].session.rollback()
    current_app.logger.warning("database unavailable: %s", type(error).__name__)
    response = jsonify(error_payload(503, "系统数据库暂时不可用，本次提交未保存，请稍后重试"))
    response.status_code = 503
    response.headers["Retry-After"] = "5"
    return response


def register(app) -> None:
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(InterfaceError, handle_database_unavailable)
