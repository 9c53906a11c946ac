"""The database: SQLAlchemy and Alembic (Flask-Migrate), created here and bound to the app in the factory."""
import os
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, Select, event, func, select
from sqlalchemy.orm import DeclarativeBase

from kernel import settings

# Named constraints let Alembic alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()


def execute_rows(statement, rows: list[dict]):
    """Execute an INSERT for the rows in the session: one row as a plain execute, several as one
    multi-row statement (SQLAlchemy's insertmanyvalues, whose machinery costs more than one row)."""
    return db.session.execute(statement, rows[0] if len(rows) == 1 else rows)


BATCH_MEMO = "batch_memo"


@contextmanager
def batch_reads():
    """A batch of jobs in one transaction (jobs.outbox: up to fifty dispatches): within it,
    `batch_read` reads each of a city's rarely changed settings once instead of once per job. The
    batch writes none of them; one changed meanwhile applies from the next batch."""
    session = db.session()
    session.info[BATCH_MEMO] = {}
    try:
        yield
    finally:
        session.info.pop(BATCH_MEMO, None)


def batch_read(key, load):
    """`load()`, kept under `key` for the rest of the batch (`batch_reads`; outside one, read
    every time). None is not kept: what the caller then creates is not yet committed."""
    memo = db.session.info.get(BATCH_MEMO)
    if memo is None:
        return load()
    value = memo.get(key)
    if value is None:
        value = load()
        if value is not None:
            memo[key] = value
    return value


def paged(query: Select, page, *order_by) -> list:
    """One page of `query`; sets page.item_count to the true total (`page`: flask-smorest's
    PaginationParameters, from the API's paginate or web.pages.list_args)."""
    query = query.order_by(None)
    page.item_count = db.session.scalar(select(func.count()).select_from(query.subquery()))
    return db.session.scalars(query.order_by(*order_by).offset(page.first_item).limit(page.page_size)).all()


def init_app(app: Flask, migrations: str) -> None:
    """Bind SQLAlchemy and Alembic to the app; on SQLite, a private file and the pragmas below."""
    db.init_app(app)
    migrate.init_app(app, db, directory=migrations, render_as_batch=True)
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
