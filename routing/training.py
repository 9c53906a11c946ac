"""Training documents of one city: its table, the catalogue and vocabulary resolved to its units, corrections."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from routing import corpus
from routing.catalogue import load_catalogue, units_by_kind
from routing.knowledge import KnowledgeBase
from routing.normalize import normalize
from routing.vocabulary import MANUAL_KIND, MatterKind, load_vocabulary

MANUAL = corpus.MANUAL
# Label weights: the table's first lead speaks loudest; co-leads, assisting units and generic duties less.
W_LEAD, W_CO_LEAD, W_ASSIST, W_DUTY, W_PHRASE, W_CORRECTION = 1.0, 0.6, 0.25, 0.5, 1.0, 1.0
# The starter corpus's appeals, each labelled with the city's unit of its department kind.
W_CORPUS = 1.0
KIND_PRIOR = 0.1  # bonus per rank for the vocabulary's usual lead kind when the table is ambiguous


@dataclass(frozen=True)
class Doc:
    text: str
    label: str
    weight: float
    source: str  # "table", "duty", "phrase", "corpus", "correction"
    urgency: str = ""  # labelled urgency (corpus, corrections that carry one)
    flags: frozenset = frozenset()  # corpus: "life" (danger to life), "conduct" (complaint about a unit's conduct)


@dataclass(frozen=True)
class Row:
    """A table matter (or one of its sentences) as a retrieval target."""
    text: str
    lead: str
    weight: float
    matter: str  # the full matter text shown to dispatchers
    others: tuple[str, ...]  # the matter's other responsible units


def table_rows(kb: KnowledgeBase, units: set[str]) -> list[Row]:
    rows = []
    for m in kb.matters:
        people = [u for u in m.leads + m.assisting if u in units]
        for i, lead in enumerate(u for u in m.leads if u in units):
            w = W_LEAD if i == 0 else W_CO_LEAD
            others = tuple(u for u in people if u != lead)
            rows.append(Row(normalize(m.text), lead, w, m.text, others))
            for sentence in re.split(r"[。；;！？]", m.text):
                if len(sentence) >= 6:
                    rows.append(Row(normalize(sentence), lead, w, m.text, others))
        for u in m.assisting:
            if u in units:
                rows.append(Row(normalize(m.text), u, W_ASSIST, m.text, tuple(m.leads)))
    return rows


def resolve_matter_kinds(kb: KnowledgeBase, units: list[str], rows: list[Row]) -> dict[str, str]:
    """Unit (or MANUAL) that leads each vocabulary matter kind in this city.

    Candidates are the city's units of the matter's department kinds; the table decides between them
    (best-matching lead rows of each candidate), with the vocabulary's order as a small prior.
    """
    by_kind = units_by_kind(units)
    lead_rows: dict[str, list[str]] = {}
    for r in rows:
        if r.weight >= W_CO_LEAD:
            lead_rows.setdefault(r.lead, []).append(r.text)
    vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True)
    vec.fit([r.text for r in rows] + ["、".join(mk.phrases) for mk in load_vocabulary()] or ["-"])
    out = {}
    for mk in load_vocabulary():
        out[mk.matter] = _resolve(mk, by_kind, lead_rows, vec)
    return out


def _resolve(mk: MatterKind, by_kind, lead_rows, vec) -> str:
    if mk.kinds == (MANUAL_KIND,):
        return MANUAL
    cands = []
    for rank, kind in enumerate(mk.kinds):
        for unit in by_kind.get(kind, []):
            cands.append((unit, KIND_PRIOR * (len(mk.kinds) - rank)))
    if not cands:
        return MANUAL
    query = vec.transform([mk.matter + "、" + "、".join(mk.phrases)])
    best, best_score = cands[0][0], -1.0
    for unit, prior in cands:
        texts = lead_rows.get(unit, [])
        sim = float((vec.transform(texts) @ query.T).max()) if texts else 0.0
        # among units of one kind, the one the table uses most wins ties
        score = sim + prior + 1e-4 * len(texts)
        if score > best_score:
            best, best_score = unit, score
    return best


def build_docs(kb: KnowledgeBase, units: list[str], rows: list[Row], resolved: dict[str, str],
               starter: bool = True) -> list[Doc]:
    docs = [Doc(r.text, r.lead, r.weight, "table") for r in rows]
    by_kind = units_by_kind(units)
    for dept in load_catalogue():
        for unit in by_kind.get(dept.kind, []):
            for i in range(0, len(dept.duties), 4):
                docs.append(Doc("、".join(dept.duties[i:i + 4]), unit, W_DUTY, "duty"))
    for mk in load_vocabulary():
        label = resolved[mk.matter]
        for p in mk.phrases:
            docs.append(Doc(p, label, W_PHRASE, "phrase"))
    for a, label in corpus_labels(kb) if starter else ():
        flags = frozenset({"life"} if a.life else ()) | frozenset({"conduct"} if a.kind == "jw" else ())
        docs.append(Doc(normalize(a.text), label, W_CORPUS, "corpus", a.urgency, flags))
    unit_set = set(units)
    for c in kb.corrections:
        if c.lead in unit_set or c.lead == MANUAL:
            docs.append(Doc(normalize(c.text), c.lead, W_CORRECTION, "correction", c.urgency or ""))
    return docs


def corpus_labels(kb: KnowledgeBase) -> list[tuple[corpus.Appeal, str]]:
    """The corpus's train part with the city's unit for each appeal (人工分拨 where it has none)."""
    units = corpus.kind_units(kb)
    return [(a, corpus.expected_unit(a, units)) for a in corpus.part("train")]


def phrase_map(resolved: dict[str, str]) -> dict[str, dict[str, float]]:
    """phrase → {unit: weight}; a phrase shared by several matter kinds splits its weight."""
    out: dict[str, dict[str, float]] = {}
    for mk in load_vocabulary():
        for p in mk.phrases:
            out.setdefault(p, {})
            out[p][resolved[mk.matter]] = out[p].get(resolved[mk.matter], 0.0) + 1.0
    for p, d in out.items():
        total = sum(d.values())
        out[p] = {u: w / total for u, w in d.items()}
    return out


def label_arrays(docs: list[Doc]) -> tuple[list[str], np.ndarray, np.ndarray]:
    return [d.text for d in docs], np.array([d.label for d in docs]), np.array([d.weight for d in docs])
