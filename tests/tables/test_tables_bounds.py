"""Issue 21, finding 21: an .xlsx is read within bounds (its claimed dimension ignored), and
before the import's transaction opens (SQLite's write lock)."""
import re
import subprocess
import sys
import zipfile

import openpyxl
import pytest
from openpyxl.styles import Font

from kernel.db import db
from tables import office, parse
from tables.importer import import_table
from tables.model import TableError
from tests.conftest import ROOT
from tests.tables.test_tables_shapes import HEADER, ROWS

FULL_SHEET = "A1:XFD1048576"


def workbook(path, rows, dimension=None):
    book = openpyxl.Workbook()
    for values in rows:
        book.active.append(values)
    if dimension:  # an empty but formatted cell in the far corner, as a whole-sheet format leaves
        book.active[dimension.split(":")[1]].font = Font(bold=True)
    book.save(path)
    if dimension:  # rewrite the sheet's own claim of its size, as a careless exporter does
        with zipfile.ZipFile(path) as source:
            parts = {name: source.read(name) for name in source.namelist()}
        sheet = parts["xl/worksheets/sheet1.xml"].decode()
        parts["xl/worksheets/sheet1.xml"] = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"',
                                                   sheet).encode()
        assert FULL_SHEET in parts["xl/worksheets/sheet1.xml"].decode()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for name, data in parts.items():
                target.writestr(name, data)
    return path


def test_finding_21_xlsx_claiming_a_full_sheet_is_read_in_little_memory(tmp_path):
    """Run in a process limited to 1 GiB of address space: read as the sheet claims, it is a
    million rows of 16,384 cells (the reviewer's import took 3.8 GB before it was stopped)."""
    path = workbook(tmp_path / "claims-everything.xlsx", [["某市任务分工表"], HEADER, *ROWS], FULL_SHEET)
    script = ("import resource, sys; limit = 1 << 30; resource.setrlimit(resource.RLIMIT_AS, (limit, limit));"
              "import tables; table = tables.parse_file(sys.argv[1]); print(len(table.matters))")
    done = subprocess.run([sys.executable, "-c", script, str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert (done.returncode, done.stdout.strip()) == (0, "3"), done.stderr[-2000:]


@pytest.fixture
def small_bounds(monkeypatch):
    monkeypatch.setattr(office, "MAX_ROWS", 10)
    monkeypatch.setattr(office, "MAX_COLUMNS", 8)


def test_finding_21_rows_past_the_bound_are_a_clear_error(tmp_path, small_bounds):
    rows = [HEADER, *ROWS, *[[None]] * 7, [9, "任务", "措施", "市工信局"]]  # the last on row 13
    with pytest.raises(TableError) as refused:
        parse.parse_file(workbook(tmp_path / "long.xlsx", rows))
    assert refused.value.line == 13 and "超过10行" in refused.value.message_zh
    trailing_blanks = [HEADER, *ROWS, *[[None]] * 20]
    assert len(parse.parse_file(workbook(tmp_path / "blank-tail.xlsx", trailing_blanks)).matters) == 3


def test_finding_21_columns_past_the_bound_are_a_clear_error(tmp_path, small_bounds):
    rows = [HEADER, *ROWS[:2], [3, "任务丙", "措施丙", "市工信局", None, None, None, None, "多出的列"]]
    with pytest.raises(TableError) as refused:
        parse.parse_file(workbook(tmp_path / "wide.xlsx", rows))
    assert refused.value.line == 4 and "超过8列" in refused.value.message_zh


def test_finding_21_the_file_is_read_before_the_import_transaction_opens(tmp_path, database, monkeypatch):
    read_inside = []

    def reading(path):
        read_inside.append(db.session().in_transaction())
        return office.xlsx_rows(path)

    monkeypatch.setattr(parse, "xlsx_rows", reading)
    report = import_table("测试市", workbook(tmp_path / "t.xlsx", [HEADER, *ROWS]), "CS")
    assert report.rows == 3 and read_inside == [False]
