"""The composition root: builds the app from the settings and lets each package register itself.

Every package below has an ``init_app(app)`` that registers its own blueprints, commands, listeners
and jobs (Flask's pattern, as flaskr's ``db.init_app``); this module only calls them, in an order
that keeps the OpenAPI document's order. Nothing imports ``app`` except ``wsgi`` and the tests.
"""
from pathlib import Path

from flask import Flask

import accounts
import audit
import demo
import intake
import jobs
import models  # noqa: F401  (every table in the metadata before Alembic looks)
import privacy
import routing
import sla
import supervision
import tables
import web
import webhooks
import workflow
from accounts import limits
from app import health, security
from kernel import db, errors, http, logs, settings

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")
# The API's blueprints register in this order (the OpenAPI document keeps it); commands anywhere.
PACKAGES = (privacy, intake, workflow, sla, supervision, webhooks, tables, routing, accounts, jobs, demo, audit)


def create_app(overrides: dict | None = None) -> Flask:
    logs.install()
    app = Flask(__name__, instance_path=str(settings.INSTANCE_DIR))
    app.config.update(settings.from_environment())
    app.config.update(overrides or {})
    app.json.ensure_ascii = False

    http.init_app(app)
    db.init_app(app, MIGRATIONS)
    errors.register(app)
    for package in PACKAGES:
        package.init_app(app)
    app.register_blueprint(health.blp)
    web.init_app(app)
    # Rate limits after the blueprints they limit exist; security headers on every response.
    limits.init_app(app)
    security.init_app(app)
    return app
