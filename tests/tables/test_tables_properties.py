"""Property tests: any text either imports or is refused with a line number; never a crash."""
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tables
from tables.units import canonical_name, split_names, split_note

PIECES = [
    "\t", "\n", " \t", "序号", "责任单位", "牵头单位", "市工作举措", "1", "2", "3", "一、总则",
    "(一)分项", "市发改委", "、", "，", "各县<市、区>", "牵头", "负责", "按职责分工负责", "(", ")",
    "（", "）", "<p>", "</p>", "<ol>", "<h2>", "附件1", "市政府办", "管委会", "中国人民银行", "——",
    "1.", "2.", "。", "等", "發展改革委", "〖JP2〗", "&amp;",
]
texts = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(PIECES), max_size=60).map("".join),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(string.printable, max_size=5)), max_size=40).map("".join),
)


def _check(text: str) -> None:
    try:
        table = tables.parse_text(text, "p.txt")
    except tables.TableError as error:
        assert isinstance(error.line, int) and 1 <= error.line <= max(1, text.count("\n") + 1 + text.count("\r"))
        assert error.message_zh
        return
    assert table.matters
    names = {u.name for u in table.units}
    for matter in table.matters:
        assert set(matter.lead_units + matter.assisting_units + matter.placeholders) <= names
        assert 1 <= matter.lines[0] <= matter.lines[1]
    assert not any(u.routable and u.kind == "placeholder" for u in table.units)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_any_text_imports_or_is_refused_with_a_line(text):
    _check(text)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=40).map("".join))
def test_tab_separated_noise_after_a_header(body):
    _check("序号\t工作任务\t牵头单位\t责任单位\n" + body)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=40).map("".join))
def test_numbered_noise(body):
    _check("1.措施。(市发改委牵头负责)\n" + body)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_unit_helpers_never_crash(text):
    note = split_note(text)
    assert all(name and "、" not in name.replace("（市、区）", "") for name in note.leads + note.others)
    for name in split_names(text):
        assert canonical_name(name) == canonical_name(canonical_name(name))
