"""The router as the rest of the system uses it: the active model per city, routing an appeal,
and suggestions for the operator while a call is typed.

Each process (web or worker) keeps the models it has loaded. At most every CHECK_SECONDS per city
it reads the active version's digest (one indexed query, no blob) and loads the new version when it
changed, so a retrained model reaches running workers without a restart.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Row, or_, select

from kernel.db import db
from kernel.vocabulary import Status
from models import Appeal
from routing import store
from routing.duplicates import OpenAppeal

if TYPE_CHECKING:  # scikit-learn loads with the first model, not with the app
    from routing.model import CityModel, Decision

CHECK_SECONDS = 5.0
OPEN_APPEALS_CHECKED = 50  # most recent open appeals of the same enterprise compared for duplicates


@dataclass
class Loaded:
    model: CityModel
    id: int
    version: int
    table_id: int | None
    digest: str
    checked_at: float


@dataclass(frozen=True)
class Routed:
    decision: Decision
    model: Loaded


_cache: dict[int, Loaded] = {}
_loading = threading.Lock()


def forget() -> None:
    """Drop every loaded model (tests; the next call reads the database again)."""
    _cache.clear()


def model_for(city_id: int) -> Loaded | None:
    """The city's active model, reloaded when another version became active; None without one."""
    now = time.monotonic()
    cached = _cache.get(city_id)
    if cached is not None and now - cached.checked_at < CHECK_SECONDS:
        return cached
    head = store.head(city_id)
    if head is None:
        _cache.pop(city_id, None)
        return None
    if cached is None or cached.digest != head.digest:
        with _loading:
            cached = _cache.get(city_id)
            if cached is None or cached.digest != head.digest:
                cached = Loaded(store.load(head.id), head.id, head.version, head.table_id, head.digest, now)
    loaded = Loaded(cached.model, head.id, head.version, head.table_id, head.digest, now)
    _cache[city_id] = loaded
    return loaded


def open_appeals(city_id: int, enterprise: str | None, uscc: str | None, exclude: int | None = None) -> list[Row]:
    """Open appeals of the same enterprise (same USCC or same name) in the city, newest first: number,
    text, USCC, enterprise name and status only (whole rows would decrypt the complainant's data)."""
    same = [Appeal.enterprise_uscc == uscc.strip().upper()] if uscc else []
    if enterprise:
        same.append(Appeal.enterprise_name == enterprise.strip())
    if not same:
        return []
    query = (select(Appeal.number, Appeal.text, Appeal.enterprise_uscc, Appeal.enterprise_name, Appeal.status)
             .where(Appeal.city_id == city_id, Appeal.status != Status.closed, or_(*same)))
    if exclude is not None:
        query = query.where(Appeal.id != exclude)
    return list(db.session.execute(query.order_by(Appeal.id.desc()).limit(OPEN_APPEALS_CHECKED)))


def _predict(loaded: Loaded, candidates: list[Row], text: str, enterprise, uscc) -> Decision:
    others = [OpenAppeal(a.number, a.text, a.enterprise_uscc, a.enterprise_name) for a in candidates]
    return loaded.model.predict(text, enterprise=enterprise, uscc=uscc, open_appeals=others)


def route(appeal: Appeal) -> Routed | None:
    """The router's decision for a stored appeal; None when its city has no model."""
    loaded = model_for(appeal.city_id)
    if loaded is None:
        return None
    others = open_appeals(appeal.city_id, appeal.enterprise_name, appeal.enterprise_uscc, exclude=appeal.id)
    return Routed(_predict(loaded, others, appeal.text, appeal.enterprise_name, appeal.enterprise_uscc), loaded)


def candidates_view(decision: Decision) -> list[dict]:
    """Top candidates with probabilities; the table matter that explains the choice on the chosen one."""
    explained = decision.reason in ("auto", "below_threshold", "emergency_unsure")
    matter = (decision.explanation or {}).get("matter") or ""
    return [{"unit": unit, "p": p, "matter": matter if explained and i == 0 else ""}
            for i, (unit, p) in enumerate(decision.candidates)]


def suggest(city: str, text: str, enterprise: str | None = None, uscc: str | None = None) -> dict | None:
    """For the operator while typing a call (city by name); None when the city has no model."""
    found = store.city_named(city)
    loaded = model_for(found.id) if found else None
    if loaded is None:
        return None
    others = open_appeals(found.id, enterprise, uscc)
    decision = _predict(loaded, others, text, enterprise, uscc)
    duplicates = [{"number": a.number, "status": a.status} for a in others if a.number == decision.duplicate_of]
    return {"lead": decision.lead, "urgency": decision.urgency, "manual": decision.manual,
            "reason": decision.reason, "candidates": candidates_view(decision),
            "top_words": (decision.explanation or {}).get("words", []), "duplicates": duplicates,
            "suggested_assisting": decision.suggested, "life_danger": decision.life_danger,
            "handover": decision.handover, "model_version": loaded.version}
