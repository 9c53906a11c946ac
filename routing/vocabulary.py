"""Domain vocabulary: enterprise expressions per kind of matter (routing/data/vocabulary.tsv)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from routing.catalogue import load_catalogue, read_tsv, split_phrases

MANUAL_KIND = "manual"


@dataclass(frozen=True)
class MatterKind:
    matter: str
    kinds: tuple[str, ...]
    phrases: tuple[str, ...]


@lru_cache(maxsize=1)
def load_vocabulary() -> tuple[MatterKind, ...]:
    known = {d.kind for d in load_catalogue()} | {MANUAL_KIND}
    out = []
    for matter, kinds, phrases in read_tsv("vocabulary.tsv"):
        ks = tuple(k.strip() for k in kinds.split("|"))
        unknown = set(ks) - known
        if unknown:
            raise ValueError(f"vocabulary.tsv: {matter}: unknown department kinds {sorted(unknown)}")
        out.append(MatterKind(matter, ks, split_phrases(phrases)))
    return tuple(out)


def all_phrases() -> set[str]:
    return {p for mk in load_vocabulary() for p in mk.phrases} | {
        p for d in load_catalogue() for p in d.duties}
