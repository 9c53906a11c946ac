"""Department kinds and their standard functions (routing/data/catalogue.tsv)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class DeptKind:
    kind: str
    pattern: re.Pattern
    duties: tuple[str, ...]
    fallback: str = ""  # kind that takes this kind's matters in a city without a unit of it


def read_tsv(name: str) -> list[list[str]]:
    """Rows of a data file, without comments and the header row."""
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        rows.append(line.split("\t"))
    return rows[1:]


def split_phrases(cell: str) -> tuple[str, ...]:
    """`a、b（note）、c` → (a, b, c): parenthesised notes are for readers, not for matching."""
    cell = re.sub(r"（[^）]*）|\([^)]*\)", "", cell)
    return tuple(p.strip().lower() for p in cell.split("、") if p.strip())


@lru_cache(maxsize=1)
def load_catalogue() -> tuple[DeptKind, ...]:
    return tuple(DeptKind(row[0], re.compile(row[1]), split_phrases(row[2]), row[3] if len(row) > 3 else "")
                 for row in read_tsv("catalogue.tsv"))


def kinds_of(unit_name: str) -> list[str]:
    """Department kinds a unit name matches, in catalogue order."""
    return [d.kind for d in load_catalogue() if d.pattern.search(unit_name)]


def units_by_kind(unit_names: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name in unit_names:
        for kind in kinds_of(name):
            out.setdefault(kind, []).append(name)
    return out
