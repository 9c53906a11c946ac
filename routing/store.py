"""The router's data in the database: training input (table + corrections) and model versions.

Corrections are read from the event log rather than kept in a table of their own: every `assign`
event is a dispatcher's decision (a manual appeal assigned, a returned or misrouted appeal
reassigned) and carries the lead unit's name; the appeal's latest assignment is its label.
A city's imported historical work orders (`routing_examples`, routing.history) come before them.
"""
from __future__ import annotations

import hashlib
import pickle
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from kernel.db import db
from models import Appeal, AppealEvent, City, RouterModel, RoutingExample, Unit
from routing.knowledge import Correction, KnowledgeBase, from_parsed
from tables import knowledge

if TYPE_CHECKING:  # the model's modules (scikit-learn) load with the first model, not with the app
    from routing.model import CityModel


@dataclass(frozen=True)
class Training:
    """What a model version is built from: the city's knowledge and the table version it came from."""
    kb: KnowledgeBase
    table_id: int


@dataclass(frozen=True)
class Head:
    """The active version of a city without its blob: cheap to read on every check."""
    id: int
    version: int
    table_id: int | None
    digest: str


def corrections(city_id: int, names: dict[str, str]) -> list[Correction]:
    """One correction per appeal (its latest dispatcher assignment), oldest first, with the lead
    spelled as the model's unit name; assignments to units no longer in the table are left out."""
    rows = db.session.execute(
        select(AppealEvent.appeal_id, AppealEvent.data, Appeal.text)
        .join(Appeal, Appeal.id == AppealEvent.appeal_id)
        .where(Appeal.city_id == city_id, AppealEvent.action == "assign")
        .order_by(AppealEvent.id)
    ).all()
    latest: dict[int, Correction] = {}
    for appeal_id, data, text in rows:
        lead = names.get((data or {}).get("lead_unit") or "")
        latest.pop(appeal_id, None)  # re-inserted last: ordered by the latest assignment
        if lead:
            latest[appeal_id] = Correction(text, lead)
    return list(latest.values())


def history(city_id: int, names: dict[str, str]) -> list[Correction]:
    """The city's imported work orders, in import order, as corrections; those whose unit is no
    longer a routable unit of the table are left out."""
    rows = db.session.execute(
        select(RoutingExample.text, Unit.name, RoutingExample.urgency).join(Unit, Unit.id == RoutingExample.unit_id)
        .where(RoutingExample.city_id == city_id).order_by(RoutingExample.id)
    ).all()
    return [Correction(text, names[unit], urgency) for text, unit, urgency in rows if unit in names]


def training(city_id: int) -> Training | None:
    """The current table of the city plus imported history and all corrections (history first, so
    the most recent corrections are the ones held back); None when no table was imported."""
    stored = knowledge(city_id)
    if stored is None:
        return None
    kb = from_parsed(stored.city, stored)
    routable = set(kb.routable_units())
    names = {spelling: name for spelling, name in kb.canonical().items() if name in routable}
    kb.corrections = history(city_id, names) + corrections(city_id, names)
    return Training(kb, stored.table_id)


def head(city_id: int) -> Head | None:
    row = db.session.execute(
        select(RouterModel.id, RouterModel.version, RouterModel.table_id, RouterModel.digest)
        .where(RouterModel.city_id == city_id, RouterModel.active.is_(True))
    ).first()
    return Head(*row) if row else None


def load(model_id: int) -> CityModel:
    blob = db.session.scalar(select(RouterModel.blob).where(RouterModel.id == model_id))
    return pickle.loads(zlib.decompress(blob))


def save(city_id: int, table_id: int, kb: KnowledgeBase, model: CityModel, *, accepted: bool,
         scores: dict, held_back: int, activate: bool) -> RouterModel:
    """Store a new version (numbered after the last one); the caller commits."""
    blob = zlib.compress(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL), 1)
    last = db.session.scalar(select(func.max(RouterModel.version)).where(RouterModel.city_id == city_id))
    row = RouterModel(
        city_id=city_id, version=(last or 0) + 1, table_id=table_id, accepted=accepted,
        units=len(model.units), matters=len(kb.matters), corrections=len(kb.corrections), held_back=held_back,
        scores=scores, threshold=model.threshold, digest=hashlib.sha256(blob).hexdigest(), blob=blob,
    )
    db.session.add(row)
    db.session.flush()
    if activate:
        make_active(row)
    return row


def make_active(row: RouterModel) -> None:
    """Workers switch to this version at their next check (routing.service.model_for)."""
    db.session.execute(update(RouterModel).where(RouterModel.city_id == row.city_id, RouterModel.id != row.id)
                       .values(active=False))
    row.active = True
    db.session.flush()


def versions(city_id: int) -> list[RouterModel]:
    return list(db.session.scalars(
        select(RouterModel).where(RouterModel.city_id == city_id).order_by(RouterModel.version.desc())))


def city_named(name: str) -> City | None:
    return db.session.scalar(select(City).where(City.name == name))
