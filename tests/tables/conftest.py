"""A small table in two versions, written to files, and the test city with version 1 imported."""
import pytest

from kernel.db import db
from tables.importer import import_table

V1 = """1.第一项措施。内容一。(市发改委牵头,市财政局、金川区负责)
2.第二项措施。内容二。(市工信局、市税务局负责)
3.第三项措施。内容三。(市统计局负责)
4.第四项措施。内容四。(各县区负责)
"""
# 市统计局's row is gone, a row for 市审计局 is added on line 4; rows 1, 2 and 4 are unchanged.
V2 = """1.第一项措施。内容一。(市发改委牵头,市财政局、金川区负责)
2.第二项措施。内容二。(市工信局、市税务局负责)
3.第四项措施。内容四。(各县区负责)
4.第五项措施。内容五。(市审计局负责)
"""


@pytest.fixture
def table_file(tmp_path):
    def write(text: str, name: str = "table.txt"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def imported(world, table_file):
    """The world's city (金昌, with hand-made units) after importing V1."""
    report = import_table("金昌", table_file(V1, "v1.txt"))
    db.session.commit()
    world.v1 = report
    return world
