"""From parser drafts to matters and a unit register (canonical names, aliases)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tables.model import ParsedMatter, TableError, UnitEntry
from tables.units import ROUTABLE_KINDS, UnitNote, aliases_of, canonical_name, is_routable, kind_of


@dataclass(frozen=True)
class Draft:
    """A matter as a parser found it, with unit names not yet resolved."""

    part: str
    section: str
    number: str
    task: str
    upper_measure: str
    measure: str
    note: UnitNote
    deadline: str
    lines: tuple[int, int]


def build_register(
    mentions: list[tuple[str, int]], known: Mapping[str, str] | None = None
) -> tuple[tuple[UnitEntry, ...], dict[str, str]]:
    """Register for (raw name, line) mentions, and a map from every spelling to its unit.

    ``known`` maps aliases to units already on record (a previous import, an admin's
    edits); a name that is a known or generated alias of another unit is folded into
    it (纪委监委 → 市纪委监委). An alias that would map to two units is a TableError
    carrying the line of the mention that introduced the second unit.
    """
    first_line: dict[str, int] = {}
    spellings: dict[str, set[str]] = {}
    for raw, line in mentions:
        name = canonical_name(raw)
        first_line.setdefault(name, line)
        spellings.setdefault(name, set()).add(raw)
    owner = dict(known or {})
    owner.update({unit: unit for unit in (known or {}).values()})
    # 市-prefixed and longer names first, so that short forms fold into them
    for name in sorted(first_line, key=lambda n: (not n.startswith("市"), -len(n), first_line[n])):
        target = owner.get(name)
        if target is not None and target != name:
            spellings.setdefault(target, set()).update(spellings.pop(name) | {name})
            first_line[target] = min(first_line.get(target, first_line[name]), first_line[name])
            continue
        for alias in aliases_of(name) | {name}:
            if owner.setdefault(alias, name) != name:
                raise TableError(
                    f"别名“{alias}”同时指向“{owner[alias]}”和“{name}”，请在表中写明全称", first_line[name]
                )
    entries = []
    for name in sorted(spellings, key=lambda n: first_line[n]):
        aliases = (aliases_of(name) | spellings[name]) - {name}
        entries.append(UnitEntry(name, tuple(sorted(aliases)), kind_of(name), is_routable(name)))
        owner.update(dict.fromkeys(spellings[name], name))
    return tuple(entries), owner


def finish(
    drafts: list[Draft], source: str, known: Mapping[str, str] | None = None
) -> tuple[tuple[ParsedMatter, ...], tuple[UnitEntry, ...]]:
    mentions = [(n, d.lines[1]) for d in drafts for n in d.note.leads + d.note.others]
    units, resolve = build_register(mentions, known)
    return tuple(_matter(d, source, resolve) for d in drafts), units


def _resolved(names: tuple[str, ...], resolve: dict[str, str]) -> list[str]:
    out: list[str] = []
    for name in names:
        unit = resolve.get(name) or canonical_name(name)
        if unit not in out:
            out.append(unit)
    return out


def _matter(d: Draft, source: str, resolve: dict[str, str]) -> ParsedMatter:
    leads = _resolved(d.note.leads, resolve)
    others = [n for n in _resolved(d.note.others, resolve) if n not in leads]
    placeholders = tuple(n for n in leads + others if kind_of(n) == "placeholder")
    leads = [n for n in leads if n not in placeholders]
    others = [n for n in others if n not in placeholders]
    default = not leads
    if default and len(others) == 1 and kind_of(others[0]) != "jurisdiction":
        leads, others, default = others, [], False  # a sole named unit is the lead
    elif default:
        # The city's own bodies lead before stationed bodies and utilities that are also listed.
        pick = ([n for n in others if is_routable(n) and kind_of(n) in ROUTABLE_KINDS]
                or [n for n in others if is_routable(n)]
                or [n for n in others if kind_of(n) != "jurisdiction"])
        leads = pick[:1]
        others = [n for n in others if n not in leads]
    return ParsedMatter(
        part=d.part, section=d.section, number=d.number, task=d.task,
        upper_measure=d.upper_measure, measure=d.measure, lead_units=tuple(leads),
        assisting_units=tuple(others), placeholders=placeholders, lead_is_default=default,
        deadline=d.deadline, source=source, lines=d.lines,
    )
