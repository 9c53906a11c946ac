"""The per-city confidence threshold below which an appeal goes to manual dispatch.

Set from data: among labelled appeals (dispatchers' corrections, predicted by a model that did not
train on them), the lowest threshold at which auto-dispatched appeals are at least TARGET_PRECISION
correct. With fewer than MIN_LABELLED labelled appeals the cold-start default of routing.model applies.
"""
from __future__ import annotations

TARGET_PRECISION = 0.95
MIN_LABELLED = 30


def choose_threshold(confidences: list[float], correct: list[bool], default: float | None,
                     target: float = TARGET_PRECISION) -> float | None:
    """Lowest confidence t such that appeals with confidence ≥ t are ≥ target correct."""
    if len(confidences) < MIN_LABELLED:
        return default
    pairs = sorted(zip(confidences, correct), key=lambda p: -p[0])
    best, hits = 1.0, 0
    for i, (conf, ok) in enumerate(pairs, start=1):
        hits += ok
        last_of_tie = i == len(pairs) or pairs[i][0] != conf
        if last_of_tie and hits / i >= target:
            best = conf
    return best
