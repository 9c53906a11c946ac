"""Safety first: the dangers an emergency shows, who may handle them, and the 110/119/120 hand-over.

An emergency that shows a danger (routing/data/hazards.tsv) is auto-dispatched only to a unit of a
department kind that handles that danger (a leak to 应急管理 or 生态环境, violence to 公安, a power cut
to the utility); otherwise it goes to manual dispatch, first in the queue. Where life is in danger,
the decision says so and names the emergency lines it must also be passed to (三台联动).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from routing.catalogue import kinds_of, read_tsv, split_phrases


@dataclass(frozen=True)
class Hazard:
    name: str
    kinds: tuple[str, ...]  # department kinds that handle it (empty: no constraint)
    services: tuple[str, ...]  # 110 / 119 / 120
    life: bool  # the danger itself threatens life
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Safety:
    hazards: tuple[str, ...]
    allowed_kinds: frozenset[str]  # empty: no constraint on the handling unit
    life_danger: bool
    handover: tuple[str, ...]  # emergency lines, sorted


NO_DANGER = Safety((), frozenset(), False, ())
DEFAULT_SERVICE = "120"  # life in danger with no particular danger recognised: an ambulance
# Life in danger where no danger of a handled kind is recognised (only a victim, or the learned life
# signal): only the units that run rescue are sure to cover it; any other choice is the dispatcher's.
RESCUE_KINDS = frozenset({"yjj", "xfj"})


def _cell(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split("|") if v.strip() and v.strip() != "—")


@lru_cache(maxsize=1)
def load_hazards() -> tuple[Hazard, ...]:
    return tuple(Hazard(name, _cell(kinds), _cell(services), life == "yes", split_phrases(phrases))
                 for name, kinds, services, life, phrases in read_tsv("hazards.tsv"))


def assess(text: str, urgency: str, life_signal: bool = False) -> Safety:
    """The dangers of an emergency (normalised text); other urgencies carry none. life_signal: the
    learned signal (routing.signals) says life is in danger, whether or not a cue was found."""
    if urgency != "emergency":
        return NO_DANGER
    found = [h for h in load_hazards() if any(p in text for p in h.phrases)]
    if not found and not life_signal:
        return NO_DANGER
    life = life_signal or any(h.life for h in found)
    services = sorted({s for h in found for s in h.services} or {DEFAULT_SERVICE}) if life else []
    allowed = frozenset(k for h in found for k in h.kinds) or (RESCUE_KINDS if life else frozenset())
    return Safety(tuple(h.name for h in found), allowed, life, tuple(services))


def handles(unit: str, safety: Safety) -> bool:
    """The unit's department kinds cover the dangers of the appeal (always, when it shows none)."""
    return not safety.allowed_kinds or bool(safety.allowed_kinds & set(kinds_of(unit)))
