"""Plain, frozen data produced by the parsers; no database, no behaviour."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParsedMatter:
    """One row (or one measure/unit group of a row) of a division table."""

    part: str  # sub-table, e.g. "附件1"; "" when the file holds one table
    section: str  # heading the row sits under, e.g. "一、提振民营经济发展信心"
    number: str  # the row's 序号 as printed ("7"); continuation rows share it
    task: str  # short task title when the table gives one, else ""
    upper_measure: str  # higher-level (province) wording the row implements, else ""
    measure: str  # the city's own measure text
    lead_units: tuple[str, ...]  # canonical names
    assisting_units: tuple[str, ...]  # canonical names, jurisdictions included
    placeholders: tuple[str, ...]  # canonical placeholder phrases (各县区 …)
    lead_is_default: bool  # True when the table did not say who leads
    deadline: str  # the city's deadline text, else ""
    source: str
    lines: tuple[int, int]  # first and last source line (1-based)


@dataclass(frozen=True)
class UnitEntry:
    name: str  # canonical, simplified
    aliases: tuple[str, ...]  # sorted; never contains name
    kind: str  # one of units.KINDS
    routable: bool


@dataclass(frozen=True)
class UnplacedLine:
    line: int
    text: str


@dataclass(frozen=True)
class ParsedTable:
    source: str
    shape: str  # one of parse.SHAPES
    matters: tuple[ParsedMatter, ...]
    units: tuple[UnitEntry, ...]
    unplaced: tuple[UnplacedLine, ...]  # non-blank lines inside span not placed
    span: tuple[int, int]  # first and last line of the table region


class TableError(ValueError):
    """A refusal: the file cannot be imported as a division table."""

    def __init__(self, message_zh: str, line: int) -> None:
        super().__init__(f"第{line}行：{message_zh}")
        self.message_zh = message_zh
        self.line = line
