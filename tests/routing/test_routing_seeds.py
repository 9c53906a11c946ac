"""The router trained on a real division table (新密) through the tables parser."""
from pathlib import Path

import pytest

from routing.knowledge import from_parsed
from routing.model import MANUAL, train

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "001_3157cc40575f03a0.txt"


@pytest.fixture(scope="module")
def xinmi():
    tables = pytest.importorskip("tables")
    if not SEED.exists():
        pytest.skip("seed tables not available")
    kb = from_parsed("新密", tables.parse_file(SEED))
    return kb, train(kb)


def test_stationed_bodies_and_utilities_are_routing_targets(xinmi):
    kb, model = xinmi
    assert "郑州市生态环境局新密分局" in model.units
    assert "市供电公司" in model.units
    assert not any("各" in u for u in model.units)


@pytest.mark.parametrize("text, unit", [
    ("研发费用加计扣除的优惠今年没享受到，申报时被说不符合", "市税务局"),
    ("厂里一个月停了好几次电，变压器增容报装也办不下来", "市供电公司"),
    ("环评批复一直下不来，排污许可证也没法申请", "郑州市生态环境局新密分局"),
    ("新厂房的不动产权证办了一年多还没下来", "市资源规划局"),
])
def test_routes_to_the_units_the_table_names(xinmi, text, unit):
    kb, model = xinmi
    d = model.predict(text)
    assert d.candidates[0][0] == unit
    assert {u for u, _ in d.candidates} <= set(model.units) | {MANUAL}


@pytest.mark.parametrize("text, unit", [
    ("市属国有企业拖欠我们的货款两年了，国企说要等集团资金计划", "市国资中心"),
    ("一年来了七八次检查，各个部门轮番来，能不能规范一下涉企检查", "市司法局"),
    ("有人冒充我们公司名义在外面签合同骗钱，已经有客户找上门了", "市公安局"),
])
def test_kinds_added_for_issue_4_route_to_their_units(xinmi, text, unit):
    assert xinmi[1].predict(text).candidates[0][0] == unit


@pytest.mark.parametrize("text, urgency", [
    ("贷款下周到期，银行说不给续贷了，厂子就要停产", "urgent"),
    ("请问专精特新中小企业申报需要什么条件？", "consult"),
])
def test_urgency_on_the_seed_model(xinmi, text, urgency):
    assert xinmi[1].predict(text).urgency == urgency
