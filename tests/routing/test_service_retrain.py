"""The retraining job: a new version from the table plus corrections, activated only if not worse."""
from sqlalchemy import select

from kernel.db import db
from models import City, OutboxMessage, RouterModel
from routing import jobs, service, store
from routing.retrain import RetrainResult
from tests.routing.test_service import WAGES, add_appeal, add_table, fresh_cache, trained_model  # noqa: F401


def versions(city_id):
    return [(r.version, r.active, r.accepted, r.corrections) for r in reversed(store.versions(city_id))]


def test_retrain_builds_a_first_version_then_only_when_something_changed(world):
    from workflow.transitions import dispatch, to_manual

    add_table(world)
    jobs.retrain_city(world.city.id)
    db.session.commit()
    assert versions(world.city.id) == [(1, True, True, 0)]
    row = store.versions(world.city.id)[0]
    assert (row.units, row.matters, row.held_back, row.table_id) == (4, 4, 0, store.training(world.city.id).table_id)
    assert service.model_for(world.city.id).model.predict(WAGES).lead == "市人社局"

    jobs.retrain_city(world.city.id)  # nothing new: no new version
    assert len(store.versions(world.city.id)) == 1

    dispatcher, _ = world.user("dispatcher")
    appeal = add_appeal(world, text="有人冒用我们公司营业执照注册了分公司。")
    to_manual(appeal, "待人工分拨")
    dispatch(appeal, world.units["市市场监管局"], [], dispatcher)
    db.session.commit()
    jobs.retrain_city(world.city.id)
    db.session.commit()
    assert versions(world.city.id) == [(1, False, True, 0), (2, True, True, 1)]


def test_a_worse_version_is_stored_but_not_activated(world, monkeypatch):
    add_table(world)
    jobs.retrain_city(world.city.id)
    monkeypatch.setattr("routing.retrain.retrain",
                        lambda kb, current: RetrainResult(trained_model(), False, 0.5, 0.8, 10))
    jobs.retrain_city(world.city.id, force=True)
    db.session.commit()
    assert versions(world.city.id) == [(1, True, True, 0), (2, False, False, 0)]
    assert store.versions(world.city.id)[0].scores == {"new_top1": 0.5, "old_top1": 0.8}
    assert service.model_for(world.city.id).version == 1


def test_training_holds_no_transaction(world, monkeypatch):
    """On SQLite a transaction holds the database's write lock: a retrain holding one while it trains
    made intake and every page wait (503) for the whole training."""
    from routing import retrain

    add_table(world)
    real, during = retrain.retrain, []

    def spy(kb, current, *args):
        during.append(db.session().in_transaction())
        return real(kb, current, *args)

    monkeypatch.setattr("routing.retrain.retrain", spy)
    jobs.retrain_city(world.city.id)
    db.session.commit()
    assert during == [False]
    assert versions(world.city.id) == [(1, True, True, 0)]


def test_a_city_without_table_gets_no_version(world):
    jobs.retrain_city(world.city.id, force=True)
    assert store.versions(world.city.id) == []


def test_the_nightly_entry_asks_one_retrain_per_city_with_a_table(world):
    add_table(world)
    db.session.add(City(name="乙市", code="YS"))
    db.session.commit()
    assert jobs.retrain_all() == 1
    assert jobs.retrain_all() == 0  # still waiting: not asked twice
    pending = db.session.scalars(select(OutboxMessage.args).where(OutboxMessage.job == jobs.RETRAIN_JOB)).all()
    assert pending == [[world.city.id, False]]


def test_the_nightly_entry_is_a_periodic_job_at_night_and_retraining_has_its_own_queue():
    from jobs.periodic import PERIODIC, Periodic
    from jobs.registry import resolve

    assert Periodic("routing-retrain", "retrain_all", cron="0 19 * * *") in PERIODIC  # 03:00 Beijing time
    assert resolve(jobs.RETRAIN_JOB).queue == "training"
    assert resolve(jobs.DISPATCH_JOB).queue == resolve("retrain_all").queue == "main"


def test_only_one_version_of_a_city_is_active(world, monkeypatch):
    add_table(world)
    monkeypatch.setattr("routing.retrain.retrain", lambda kb, current: RetrainResult(trained_model(), True, None, None, 0))
    for _ in range(2):
        jobs.retrain_city(world.city.id, force=True)
    db.session.commit()
    assert db.session.scalars(select(RouterModel.version).where(RouterModel.active.is_(True))).all() == [2]


def test_a_stored_version_that_no_longer_works_is_replaced(world):
    from types import SimpleNamespace

    from tests.routing.test_service import install_model

    install_model(world, SimpleNamespace(units=[], threshold=0.4))
    jobs.retrain_city(world.city.id, force=True)
    db.session.commit()
    assert versions(world.city.id) == [(1, False, True, 0), (2, True, True, 0)]
    assert service.model_for(world.city.id).model.predict(WAGES).lead == "市人社局"
