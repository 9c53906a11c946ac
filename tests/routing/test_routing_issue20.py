"""Issue 20: the starter corpus, safety first, conduct complaints, assisting units, learning, short
explanations. The models are trained on a real division table (金昌) with the starter corpus."""
from dataclasses import replace
from pathlib import Path

import pytest

from routing import corpus
from routing.catalogue import kinds_of
from routing.examples import examples_to_corrections
from routing.knowledge import from_parsed
from routing.model import MANUAL, TITLE_CHARS, train
from routing.safety import assess

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
LEAK = "化工厂储罐区刚才发生氯气泄漏，周边企业工人已经有人头晕"
BRIBE = "市场监管局的两个执法人员来检查，暗示说请吃顿饭就不罚了，我们要投诉这两个执法人员"


def _kb(city, seed):
    tables = pytest.importorskip("tables")
    if not (SEEDS / seed).exists():
        pytest.skip("seed tables not available")
    return from_parsed(city, tables.parse_file(SEEDS / seed))


@pytest.fixture(scope="module")
def jinchang():
    if not corpus.load():
        pytest.skip("starter corpus not available")
    kb = _kb("金昌", "000_e8af529a3e52d661.txt")
    return kb, train(kb)


def test_the_split_is_fixed_by_the_id_alone():
    assert corpus.split_of("gaj-001") == corpus.split_of("gaj-001")
    parts = [corpus.split_of(f"x-{i}") for i in range(2000)]
    assert 0.17 < parts.count("validation") / len(parts) < 0.23


def test_every_kind_maps_to_a_unit_of_that_kind_or_its_fallback():
    kb = _kb("新密", "001_3157cc40575f03a0.txt")
    units = corpus.kind_units(kb)
    assert units["swu"] == "市税务局" and units["gdj"] == "市供电公司"
    assert "gsgs" not in units and "slj" not in units  # neither a water company nor a water authority
    # water supply → the water authority where there is no water company
    assert corpus.kind_units(_kb("金昌", "000_e8af529a3e52d661.txt"))["gsgs"] == "市水务局"
    assert units["zlj"] == "市市场监督管理局"  # quality supervision merged into market regulation
    assert "txyy" not in units  # no telecom operator and no fallback: manual dispatch
    appeal = corpus.Appeal("t-1", "宽带断了", "txyy", "urgent")
    assert corpus.expected_unit(appeal, units) == MANUAL


def test_a_leak_with_people_ill_is_an_emergency_never_auto_dispatched_elsewhere(jinchang):
    model = jinchang[1]
    d = model.predict(LEAK)
    assert d.urgency == "emergency"
    assert d.life_danger and "119" in d.handover and "leak" in d.hazards
    if not d.manual:
        assert {"yjj", "sthj", "rqgs", "xfj"} & set(kinds_of(d.lead))
    else:
        assert d.first_in_queue


def test_violence_goes_to_the_police_or_to_the_head_of_the_manual_queue(jinchang):
    d = jinchang[1].predict("工地门口十几个人拿着钢管在打我们的工人，已经有人头上流血了")
    assert d.urgency == "emergency" and d.life_danger and "110" in d.handover
    assert d.lead in (None, "市公安局")


def test_safety_only_for_emergencies():
    assert not assess("去年厂里发生过一次火灾，想问问消防验收的事", "consult").life_danger
    danger = assess("车间着火了，有人被困", "emergency")
    assert danger.life_danger and set(danger.handover) == {"119", "120"}


def test_a_road_caving_in_is_a_collapse_and_an_outbreak_among_animals_is_for_agriculture():
    collapse = assess("厂门口的路面塌陷了，一辆货车陷在坑里", "emergency")
    assert collapse.hazards == ("collapse",) and collapse.allowed_kinds == {"yjj", "zjj"}
    assert assess("鸡场里的鸡大批死亡，疑似禽流感", "emergency").allowed_kinds >= {"nyj"}


def test_life_in_danger_with_no_known_danger_is_only_for_the_rescue_units():
    trapped = assess("厂区被水围住了，三十多个工人困在屋顶上下不来", "emergency", life_signal=True)
    assert trapped.life_danger and trapped.allowed_kinds == {"yjj", "xfj"}
    assert assess("食堂好几个工人吃完饭呕吐送医了", "emergency").allowed_kinds == {"yjj", "xfj"}
    assert not assess("明天就要停产了，工资发不出来", "emergency").allowed_kinds  # no life in danger: any unit


def test_a_conduct_complaint_never_goes_to_the_accused_unit(jinchang):
    model = jinchang[1]
    d = model.predict(BRIBE)
    assert d.candidates[0][0] != "市市场监督管理局"
    assert d.lead in (None, "市纪委监委")
    # after the unit it was sent to returned it, that unit is not proposed again
    again = model.predict(BRIBE, exclude=(d.candidates[0][0],))
    assert d.candidates[0][0] not in [u for u, _ in again.candidates]


def test_a_conduct_complaint_the_signal_is_unsure_of_is_left_to_a_dispatcher(jinchang, monkeypatch):
    model = jinchang[1]
    monkeypatch.setattr(model, "signals", lambda x: {"conduct": 0.0})
    unsure = model.predict(BRIBE)
    assert unsure.manual and unsure.reason == "below_threshold"
    assert unsure.candidates[0][0] == "市纪委监委"  # the accused unit is still left out
    monkeypatch.setattr(model, "signals", lambda x: {"conduct": 1.5})
    assert model.predict(BRIBE).lead in (None, "市纪委监委")


def test_assisting_units_only_for_a_second_matter(jinchang):
    model = jinchang[1]
    single = model.predict("燃气管道破裂，车间里燃气味很重，我们已经疏散了工人")
    assert single.assisting == []
    two = model.predict("一是公司的增值税留抵退税申请了三个月还没有退下来；二是工地上的农民工工资被包工头拖欠半年了")
    assert all(not set(kinds_of(u)) & set(kinds_of(two.candidates[0][0])) for u in two.assisting)


def test_the_explanation_is_short(jinchang):
    d = jinchang[1].predict("出口退税申请了三个月还没到账，资金压力很大，请帮忙催一下")
    assert len(d.explanation["matter"]) <= TITLE_CHARS and len(d.explanation["words"]) <= 5


def test_history_rows_become_corrections_with_their_errors_by_line(jinchang):
    kb, _ = jinchang
    rows = [(2, {"text": "出口退税一直没到账", "unit": "税务局", "urgency": "加急"}),
            (3, {"text": "出口退税一直没到账", "unit": "市不存在局"}),
            (4, {"text": "", "unit": "市税务局"}),
            (5, {"text": "工资拖欠半年了", "unit": "市人社局", "urgency": "很急很急"})]
    corrections, bad = examples_to_corrections(kb, rows)
    assert [(c.lead, c.urgency) for c in corrections] == [("市税务局", "urgent")]
    assert [b.line for b in bad] == [3, 4, 5] and "市不存在局" in bad[0].message


def test_examples_of_a_city_move_its_model(jinchang):
    kb, model = jinchang
    text = "我们园区的标准化厂房租金补贴申请交上去半年了没人理"
    target = next(u for u in ("市商务局", "市科技局", "市教育局") if u != model.predict(text).candidates[0][0])
    examples = [replace(c, text=f"{text}（第{i}次反映）") for i, c in enumerate(
        examples_to_corrections(kb, [(1, {"text": text, "unit": target})])[0] * 20)]
    learned = train(replace(kb, corrections=examples))
    assert learned.predict(text).candidates[0][0] == target
