"""Likely duplicates: an open appeal of the same enterprise (same USCC or name) with similar text."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from math import sqrt

from routing.normalize import normalize

MIN_SIMILARITY = 0.45  # cosine of character bigrams; paraphrases of one matter score 0.45–0.8
_NAME_NOISE = re.compile(r"[()（）\s]|有限责任公司|股份有限公司|有限公司|公司$")


@dataclass(frozen=True)
class OpenAppeal:
    id: str
    text: str
    uscc: str | None = None
    enterprise: str | None = None


# Each dispatch compares its appeal with the open appeals of the same enterprise, which earlier
# dispatches (and the operator's suggestions while typing) compared with theirs: the texts' profiles
# and the names' canonical forms are kept for the most recent ones.
@lru_cache(maxsize=512)
def _bigrams(text: str) -> tuple[dict[str, int], float]:
    """Character bigram counts of the normalised text (read-only: the dict is shared) and their norm."""
    t = re.sub(r"[^\u4e00-\u9fffa-z0-9]", "", normalize(text))
    counts = Counter(t[i:i + 2] for i in range(len(t) - 1))
    return dict(counts), sqrt(sum(v * v for v in counts.values()))


@lru_cache(maxsize=2048)
def _name_key(name: str) -> str:
    return _NAME_NOISE.sub("", normalize(name))


def similarity(a: str, b: str) -> float:
    (x, x_norm), (y, y_norm) = _bigrams(a), _bigrams(b)
    if len(x) > len(y):
        x, y = y, x  # the dot product of integer counts is exact in any order
    dot = sum(v * y.get(k, 0) for k, v in x.items())
    norm = x_norm * y_norm
    return dot / norm if norm else 0.0


def _same_enterprise(a: OpenAppeal, uscc: str | None, enterprise: str | None) -> bool:
    if uscc and a.uscc and uscc.strip().upper() == a.uscc.strip().upper():
        return True
    if enterprise and a.enterprise:
        return _name_key(enterprise) == _name_key(a.enterprise)
    return False


def find_duplicate(text: str, open_appeals: list[OpenAppeal], uscc: str | None = None,
                   enterprise: str | None = None, min_similarity: float = MIN_SIMILARITY) -> str | None:
    """Id of the most similar open appeal of the same enterprise, if similar enough; else None."""
    best, best_sim = None, min_similarity
    for a in open_appeals:
        if _same_enterprise(a, uscc, enterprise):
            sim = similarity(text, a.text)
            if sim >= best_sim:
                best, best_sim = a.id, sim
    return best
