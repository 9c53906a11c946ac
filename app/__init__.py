"""Application factory."""
import os
from pathlib import Path

from flask import Flask
from sqlalchemy import event

import supervision
from kernel import logs, settings
from kernel.http import IdConverter

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(overrides: dict | None = None) -> Flask:
    logs.install()
    app = Flask(__name__, instance_path=str(settings.INSTANCE_DIR))
    app.config.update(settings.from_environment())
    app.config.update(overrides or {})
    app.json.ensure_ascii = False
    app.url_map.converters["int"] = IdConverter  # before any route is added

    import privacy.keys

    privacy.keys.configure(app.config["DATA_KEYS"], app.config["INDEX_KEY"])
    _init_extensions(app)
    _register_blueprints(app)
    _register_commands(app)
    _init_protection(app)
    supervision.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    import models  # noqa: F401  (every table in the metadata before Alembic looks)
    from kernel import errors
    from kernel.db import db, migrate
    from kernel.http import api

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True)
    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    errors.register(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _private_sqlite_file(db.engine.url.database)
            event.listen(db.engine, "connect", _sqlite_connect)
            # IMMEDIATE: take the write lock at the start, so concurrent writers queue on
            # busy_timeout instead of failing when a read transaction tries to upgrade.
            event.listen(db.engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))


def _private_sqlite_file(database: str | None) -> None:
    """The SQLite file holds personal data: created 0600 before SQLite opens it (its WAL and
    shared-memory files take the same mode), in an instance folder only the app's user enters."""
    if not database or database == ":memory:":
        return
    path = Path(database)
    if path.parent == settings.INSTANCE_DIR:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.parent.chmod(0o700)
    try:  # create it only: closing any descriptor of an open database drops this process's SQLite locks
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    path.chmod(0o600)


def _sqlite_connect(connection, record) -> None:
    """Let SQLAlchemy, not the sqlite3 module, begin transactions, so SAVEPOINTs work."""
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _register_blueprints(app: Flask) -> None:
    from accounts.api import blp as token_admin_api
    from kernel.http import api
    from intake.api import blp as intake_api
    from routing.api import blp as routing_api
    from sla.api import blp as sla_api
    from supervision.api import blp as supervision_api
    from supervision.reports_api import blp as supervision_reports_api
    from tables.api import blp as tables_admin_api
    from webhooks import events  # noqa: F401  (outbound deliveries follow new appeal events)
    from webhooks.admin import blp as webhook_admin_api
    from webhooks.inbound import blp as partner_webhooks_api
    from webhooks.open311 import PREFIX as OPEN311_PREFIX, blp as open311_api, unrouted_error
    from workflow.api import blp as appeals_api

    api.register_blueprint(intake_api)
    api.register_blueprint(appeals_api)
    api.register_blueprint(sla_api)
    api.register_blueprint(supervision_api)
    api.register_blueprint(supervision_reports_api)
    api.register_blueprint(partner_webhooks_api)
    api.register_blueprint(open311_api)
    api.handle_errors_under(OPEN311_PREFIX, unrouted_error)
    api.register_blueprint(webhook_admin_api)
    api.register_blueprint(tables_admin_api)
    api.register_blueprint(routing_api)
    api.register_blueprint(token_admin_api)

    import web
    from app.health import blp as health

    app.register_blueprint(health)
    web.init_app(app)


def _init_protection(app: Flask) -> None:
    """Rate limits (after the blueprints they limit exist) and security headers."""
    from app import limits, security

    limits.init_app(app)
    security.init_app(app)


def _register_commands(app: Flask) -> None:
    from accounts.cli import tokens, users
    from audit.cli import audit
    from demo.cli import demo
    from jobs.cli import jobs
    from privacy.cli import privacy
    from routing.cli import routing
    from sla.cli import sla
    from tables.cli import tables
    from webhooks.cli import webhooks

    for group in (users, tokens, jobs, demo, audit, privacy, sla, webhooks, tables, routing):
        app.cli.add_command(group)
