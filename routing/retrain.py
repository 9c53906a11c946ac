"""Learning: a new model version from the table plus all corrections, switched to only if not worse."""
from __future__ import annotations

from dataclasses import dataclass, replace

from routing.knowledge import KnowledgeBase
from routing.model import TRAIN_STEPS, CityModel, train
from routing.threshold import choose_threshold

HOLDOUT_FRACTION = 0.2


@dataclass
class RetrainResult:
    model: CityModel  # the new version, trained on the table and all corrections
    accepted: bool  # switch workers to it?
    new_top1: float | None  # top-1 on held-back corrections of a model that did not see them
    old_top1: float | None  # the same for the current model (None without a current model)
    held_back: int


def top1_and_confidences(model: CityModel, corrections) -> tuple[float, list[float], list[bool]]:
    conf, ok = [], []
    for c in corrections:
        d = model.predict(c.text)
        ok.append(bool(d.candidates) and d.candidates[0][0] == c.lead)
        conf.append(d.confidence)
    return (sum(ok) / len(ok) if ok else 0.0), conf, ok


def steps(n_corrections: int) -> int:
    """Progress steps of retrain() with that many corrections: one training, two with a held-back part."""
    return TRAIN_STEPS * (2 if int(n_corrections * HOLDOUT_FRACTION) else 1)


def retrain(kb: KnowledgeBase, current: CityModel | None = None, progress=None) -> RetrainResult:
    """Hold back the most recent corrections, evaluate a model trained without them against the
    current model on them, set the threshold from them, then train on everything.
    progress: anything with update(n), advanced steps(len(kb.corrections)) in all."""
    n_held = int(len(kb.corrections) * HOLDOUT_FRACTION)
    held = kb.corrections[len(kb.corrections) - n_held:] if n_held else []
    if not held:
        return RetrainResult(train(kb, progress=progress), True, None, None, 0)
    probe = train(replace(kb, corrections=kb.corrections[:-n_held]), progress=progress)
    new_top1, conf, ok = top1_and_confidences(probe, held)
    old_top1 = top1_and_confidences(current, held)[0] if current is not None else None
    # the current threshold stays without enough held-back corrections, unless its confidence meant another
    # thing (a version from before the starter corpus); None: the new version's default
    same = current is not None and current.margins == probe.margins
    threshold = choose_threshold(conf, ok, default=current.threshold if same else None)
    accepted = old_top1 is None or new_top1 >= old_top1
    return RetrainResult(train(kb, threshold=threshold, progress=progress), accepted, new_top1, old_top1, n_held)
