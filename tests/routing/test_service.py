"""routing.service and routing.store: the active model per process, suggestions, corrections.

The helpers at the top (a division table for the test world's units, a model trained on it once
per session) are shared by the other wiring tests (test_dispatch, test_api, test_cli).
"""
import copy
import functools
import itertools
import pickle

import pytest

from kernel.db import db
from kernel.vocabulary import Status
from models import Appeal, DivisionTable, Matter, MatterUnit, RouterModel
from routing import service, store
from routing.model import train
from tests.factories import appeal_body

MATTERS = [
    ("清理拖欠中小企业账款，推动机关事业单位和国有企业及时支付中小企业款项。", "市工信局"),
    ("优化企业开办和变更登记，推进营业执照电子化，规范涉企收费，查处不正当竞争。", "市市场监管局"),
    ("根治欠薪，保障农民工工资支付，开展劳动保障监察执法，做好社会保险服务。", "市人社局"),
    ("依法审理涉企案件，规范查封扣押冻结措施，推进破产重整和执行案件办理。", "市中级人民法院"),
]
_numbers = itertools.count(1)
WAGES = "工地老板拖欠我们工人三个月工资不发，农民工工资讨不回来，请劳动保障监察帮忙。"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Loaded models are per process: no test sees another's."""
    service.forget()
    yield
    service.forget()


def add_table(world) -> DivisionTable:
    """The test world's division table, stored as the tables importer would."""
    table = DivisionTable(city=world.city, version=1, source_name="test.txt", shape="tsv")
    db.session.add(table)
    for ordinal, (text, lead) in enumerate(MATTERS, 1):
        matter = Matter(table=table, ordinal=ordinal, task="", measure=text, source="test.txt",
                        line_first=ordinal, line_last=ordinal, key=f"k{ordinal}")
        matter.units = [MatterUnit(unit=world.units[lead], role="lead", position=0)]
        db.session.add(matter)
    db.session.flush()
    return table


@functools.cache
def _trained(city: str):
    """One model per session, trained on the world's table (the same whatever the row ids). Without the
    starter corpus: these tests are about the wiring, and the table alone decides predictably on a
    four-unit table (the corpus's model is tested in test_routing_issue20 and on the seed tables)."""
    from routing.knowledge import KnowledgeBase
    from routing.knowledge import Matter as KbMatter
    from routing.knowledge import Unit as KbUnit

    units = [KbUnit(name) for _, name in MATTERS] + [KbUnit("各县区", kind="placeholder", routable=False)]
    kb = KnowledgeBase(city, units, [KbMatter(text, (lead,)) for text, lead in MATTERS])
    return pickle.dumps(train(kb, starter=False))


def trained_model(city: str = "金昌", threshold: float | None = None):
    model = pickle.loads(_trained(city))
    if threshold is not None:
        model.threshold = threshold
    return model


def install_model(world, model=None, table=None) -> RouterModel:
    """Store and activate a model version for the world's city (with its table, unless given)."""
    table = table or db.session.query(DivisionTable).filter_by(city_id=world.city.id).first() or add_table(world)
    data = store.training(world.city.id)
    row = store.save(world.city.id, table.id, data.kb, model or trained_model(), accepted=True,
                     scores={"new_top1": None, "old_top1": None}, held_back=0, activate=True)
    db.session.commit()
    return row


def add_appeal(world, text=WAGES, status=Status.received, **changes) -> Appeal:
    body = appeal_body(text=text)
    fields = {"number": f"JC20261122-{next(_numbers):06d}", "city": world.city, "channel": "hotline",
              "external_id": body["external_id"], "enterprise_name": body["enterprise"]["name"],
              "enterprise_uscc": body["enterprise"]["uscc"], "complainant_name": "张先生",
              "complainant_phone": "13812341234", "complainant_phone_hash": "h", "text": text, "status": status,
              "assisting_units": []}
    appeal = Appeal(**{**fields, **changes})
    db.session.add(appeal)
    db.session.commit()
    return appeal


def test_no_model_without_an_active_version(world):
    add_table(world)
    assert service.model_for(world.city.id) is None
    assert service.suggest("金昌", WAGES) is None


def test_a_new_active_version_reaches_a_running_process_without_restart(world, monkeypatch):
    first = install_model(world)
    loaded = service.model_for(world.city.id)
    assert (loaded.version, loaded.model.threshold) == (first.version, pytest.approx(0.4))

    second = install_model(world, trained_model(threshold=0.9))
    assert service.model_for(world.city.id).version == first.version  # checked again only after a while
    monkeypatch.setattr(service, "CHECK_SECONDS", 0.0)
    loaded = service.model_for(world.city.id)
    assert (loaded.version, loaded.model.threshold) == (second.version, pytest.approx(0.9))
    assert db.session.get(RouterModel, first.id).active is False


def test_deactivating_every_version_leaves_the_city_without_model(world, monkeypatch):
    row = install_model(world)
    assert service.model_for(world.city.id) is not None
    row.active = False
    db.session.commit()
    monkeypatch.setattr(service, "CHECK_SECONDS", 0.0)
    assert service.model_for(world.city.id) is None


def test_suggest_names_the_lead_with_candidates_and_the_matter(world):
    install_model(world)
    s = service.suggest("金昌", WAGES)
    assert (s["lead"], s["manual"], s["duplicates"]) == ("市人社局", False, [])
    assert s["urgency"] in ("emergency", "urgent", "normal", "consult")
    first = s["candidates"][0]
    assert first["unit"] == "市人社局" and 0.5 < first["p"] <= 1 and "欠薪" in first["matter"]
    assert len(s["candidates"]) == 3 and all(c["matter"] == "" for c in s["candidates"][1:])
    assert [c["p"] for c in s["candidates"]] == sorted((c["p"] for c in s["candidates"]), reverse=True)


def test_suggest_lists_a_similar_open_appeal_of_the_same_enterprise(world):
    install_model(world)
    earlier = add_appeal(world, status=Status.dispatched)
    s = service.suggest("金昌", WAGES.replace("三个月", "两个月"), uscc=earlier.enterprise_uscc)
    assert s["duplicates"] == [{"number": earlier.number, "status": "dispatched"}]
    assert service.suggest("金昌", WAGES, enterprise="另一家公司")["duplicates"] == []
    earlier.status = Status.closed
    db.session.commit()
    assert service.suggest("金昌", WAGES, uscc=earlier.enterprise_uscc)["duplicates"] == []


def test_corrections_are_the_latest_dispatcher_assignment_per_appeal(world, client):
    from workflow.transitions import dispatch, to_manual

    install_model(world)
    dispatcher, _ = world.user("dispatcher")
    first = add_appeal(world, text="有人冒用我们公司营业执照注册了分公司。")
    second = add_appeal(world, text="法院查封了我们的设备，执行一直没有进展。")
    for appeal in (first, second):
        to_manual(appeal, "待人工分拨")
    dispatch(first, world.units["市工信局"], [], dispatcher)
    dispatch(second, world.units["市中级人民法院"], [], dispatcher)
    dispatch(first, world.units["市市场监管局"], [], dispatcher)  # a reassignment after a return
    db.session.commit()
    kb = store.training(world.city.id).kb
    assert [(c.text, c.lead) for c in kb.corrections] == [(second.text, "市中级人民法院"),
                                                          (first.text, "市市场监管局")]


def test_the_router_route_of_an_appeal_is_not_a_correction(world):
    from workflow.transitions import dispatch

    install_model(world)
    appeal = add_appeal(world)
    dispatch(appeal, world.units["市人社局"], [], None, action="route")
    db.session.commit()
    assert store.training(world.city.id).kb.corrections == []


def test_a_stored_model_is_the_model_trained(world):
    model = trained_model()
    install_model(world, copy.deepcopy(model))
    loaded = service.model_for(world.city.id).model
    assert loaded.predict(WAGES).candidates == model.predict(WAGES).candidates



def test_routing_reads_no_complainant_data_of_the_enterprises_other_appeals(world, monkeypatch):
    import privacy.types

    install_model(world)
    earlier = {add_appeal(world, status=Status.dispatched).number for _ in range(3)}
    uscc = db.session.scalar(db.select(Appeal.enterprise_uscc).where(Appeal.number.in_(earlier)).limit(1))
    appeal = add_appeal(world, text=WAGES.replace("三个月", "两个月"), enterprise_uscc=uscc)
    db.session.expire_all()
    appeal = db.session.get(Appeal, appeal.id)
    decrypted = []
    monkeypatch.setattr(privacy.types, "decrypt", lambda value: decrypted.append(value) or "x")
    assert service.route(appeal).decision.duplicate_of in earlier
    assert decrypted == []
