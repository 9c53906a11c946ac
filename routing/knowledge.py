"""Training input of the router: plain data, independent of how tables are parsed or stored."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Unit:
    name: str
    aliases: tuple[str, ...] = ()
    kind: str = ""
    routable: bool = True


@dataclass(frozen=True)
class Matter:
    """One row of a division table: its policy text, lead units (in table order) and assisting units."""
    text: str
    leads: tuple[str, ...]
    assisting: tuple[str, ...] = ()


@dataclass(frozen=True)
class Correction:
    """A dispatcher's decision: the manual assignment of an appeal or a reassignment after a return."""
    text: str
    lead: str
    urgency: str | None = None  # the urgency the dispatcher or the imported work order gave, if any


@dataclass
class KnowledgeBase:
    city: str
    units: list[Unit]
    matters: list[Matter]
    corrections: list[Correction] = field(default_factory=list)

    def routable_units(self) -> list[str]:
        return [u.name for u in self.units if u.routable]

    def canonical(self) -> dict[str, str]:
        """Every spelling of a unit (name, aliases, and the same without a leading 市) → its name."""
        out = {}
        for u in self.units:
            for a in (u.name, *u.aliases):
                out[a] = u.name
                out.setdefault(a.removeprefix("市"), u.name)
        return out


def from_parsed(city: str, parsed, corrections=()) -> KnowledgeBase:
    """Convert a `tables.ParsedTable` (duck-typed: `.units`, `.matters`) into a KnowledgeBase.
    The unit register decides what is routable (stationed bodies and utilities included)."""
    units = [Unit(u.name, tuple(u.aliases or ()), u.kind or "", bool(u.routable)) for u in parsed.units]
    routable = {u.name for u in units if u.routable}
    matters = []
    for m in parsed.matters:
        leads = tuple(u for u in m.lead_units if u in routable)
        if not leads:
            continue
        text = "。".join(x for x in (m.task, m.measure or m.upper_measure) if x)
        assisting = tuple(u for u in m.assisting_units if u in routable and u not in leads)
        matters.append(Matter(text, leads, assisting))
    return KnowledgeBase(city, units, matters, list(corrections))
