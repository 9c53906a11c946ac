"""The database: SQLAlchemy and Alembic (Flask-Migrate), created here and bound to the app in the factory."""
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, Select, func, select
from sqlalchemy.orm import DeclarativeBase

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


def paged(query: Select, page, *order_by) -> list:
    """One page of `query`; sets page.item_count to the true total (`page`: flask-smorest's
    PaginationParameters, from the API's paginate or web.pages.list_args)."""
    query = query.order_by(None)
    page.item_count = db.session.scalar(select(func.count()).select_from(query.subquery()))
    return db.session.scalars(query.order_by(*order_by).offset(page.first_item).limit(page.page_size)).all()
