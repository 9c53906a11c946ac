"""Shape detection and the two entry points, parse_text and parse_file.

Parsing is two steps: `draft_file`/`draft_text` read the file and find its matters (the slow
part, touching no database), `complete` builds the unit register with the aliases on record.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tables import grid, notes, tabcells
from tables.model import ParsedTable, TableError, UnplacedLine
from tables.office import docx_content, xlsx_rows
from tables.register import Draft, finish
from tables.text import simplified

SHAPES = ("tab_cells", "numbered_notes", "tsv", "xlsx", "docx")
NO_TABLE = ("文件中没有找到任务分工表：既没有含“序号”的表头，"
            "也没有以“（……牵头/负责）”结尾的编号措施，未导入")


@dataclass(frozen=True)
class Drafted:
    """A table's matters as found in the file, before the unit register is built."""
    source: str
    shape: str
    drafts: list[Draft]
    unplaced: tuple[UnplacedLine, ...]
    span: tuple[int, int]


def parse_text(text: str, source_name: str, known: Mapping[str, str] | None = None) -> ParsedTable:
    """Parse a table given as text (tab cells, numbered measures with notes, or TSV).

    ``known`` maps aliases already on record to their units (see build_register).
    """
    return complete(draft_text(text, source_name), known)


def parse_file(path: str | Path, known: Mapping[str, str] | None = None) -> ParsedTable:
    """Parse a .txt/.tsv (UTF-8), .xlsx or .docx file; the source is the file name."""
    return complete(draft_file(path), known)


def draft_text(text: str, source_name: str) -> Drafted:
    lines = simplified(text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    if grid.looks_like(lines):
        return _drafted(source_name, "tsv", grid.parse(grid.text_rows(lines)))
    if tabcells.looks_like(lines):
        return _drafted(source_name, "tab_cells", tabcells.parse(lines))
    if notes.looks_like(lines):
        return _drafted(source_name, "numbered_notes", notes.parse(lines))
    raise TableError(NO_TABLE, 1)


def draft_file(path: str | Path) -> Drafted:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        rows = [(line, [simplified(c) for c in cells]) for line, cells in xlsx_rows(path)]
        return _drafted(path.name, "xlsx", grid.parse(rows))
    if suffix == ".docx":
        rows, paragraphs = docx_content(path)
        rows = [(line, [simplified(c) for c in cells]) for line, cells in rows]
        if any(grid.header_columns(cells) for _, cells in rows):
            return _drafted(path.name, "docx", grid.parse(rows))
        return draft_text("\n".join(paragraphs), path.name)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableError("文件不是UTF-8编码的文本，也不是.xlsx或.docx文件", 1) from error
    return draft_text(text, path.name)


def _drafted(source: str, shape: str, parsed) -> Drafted:
    drafts, unplaced, span = parsed
    seen: set[tuple[str, str, str]] = set()  # a paragraph duplicated at a page break counts once
    drafts = [d for d in drafts if (d.part, d.number, d.measure) not in seen
              and not seen.add((d.part, d.number, d.measure))]
    if not drafts:
        raise TableError("找到了表头，但没有解析出任何事项，未导入", span[0])
    return Drafted(source, shape, drafts, tuple(unplaced), span)


def complete(drafted: Drafted, known: Mapping[str, str] | None = None) -> ParsedTable:
    matters, units = finish(drafted.drafts, drafted.source, known)
    return ParsedTable(drafted.source, drafted.shape, matters, units, drafted.unplaced, drafted.span)
