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
