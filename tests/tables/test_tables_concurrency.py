"""Two imports of one city's table at the same time: each gets its own version, neither fails."""
import threading

from sqlalchemy import select

from kernel.db import db
from models import City, DivisionTable, Unit
from tables.importer import import_table
from tests.tables.conftest import V1, V2


def test_concurrent_imports_take_turns(app, live_db, table_file):
    import_table("金昌", table_file(V1, "v1.txt"))
    db.session.commit()
    path = table_file(V2, "v2.txt")
    start, errors = threading.Barrier(2), []

    def run():
        with app.app_context():
            try:
                start.wait()
                import_table("金昌", path)
                db.session.commit()
            except Exception as error:  # noqa: BLE001  (reported by the assertion below)
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    city_id = db.session.scalar(select(City.id).where(City.name == "金昌"))
    versions = db.session.scalars(select(DivisionTable.version).where(DivisionTable.city_id == city_id)).all()
    assert sorted(versions) == [1, 2, 3]
    assert len(db.session.scalars(select(Unit).where(Unit.name == "市审计局")).all()) == 1
