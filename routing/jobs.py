"""The routing jobs (registered by name, jobs.registry): dispatch, and retraining.

Dispatch (`dispatch_appeal`) is routing.dispatch's; it is registered here, in the module the
application imports, so that every worker knows it.

Retraining: a new model version from the current table plus all corrections.

`retrain_city` runs as an outbox job (the new version written and the message marked done in one
transaction; the training itself in none, see build_version) on the training queue, by its own
worker, so that no received appeal waits minutes behind it for dispatch: requested by an admin
(API), by the nightly periodic entry `retrain_all`, and by the dispatch job when a city has a table
but no model yet, or a newer table than its model. It activates the new version only if it is not
worse than the active one on held-back corrections (routing.retrain), and skips the work when
neither the table nor the corrections changed since the active version.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from jobs import outbox
from jobs.registry import register
from kernel.db import db
from models import DivisionTable, OutboxMessage, RouterModel
from routing import store

DISPATCH_JOB = "dispatch_appeal"
DISPATCH_BATCH = 50  # received appeals one dispatch run routes (jobs.outbox), each in its own savepoint
RETRAIN_JOB = "retrain_city"


@dataclass(frozen=True)
class Built:
    row: RouterModel
    replaced: int | None  # version active before, if any


def build_version(city_id: int, *, always_activate: bool = False, progress=None) -> Built | None:
    """Train, evaluate and store a new version; None when the city has no table. The caller commits.
    progress: called with the number of training steps, gives a context manager whose update(n) is
    called as they are done (click.progressbar)."""
    from routing.retrain import retrain, steps  # scikit-learn: only where a model is trained

    data = store.training(city_id)
    if data is None:
        return None
    before = store.head(city_id)
    current = _usable(before.id) if before else None
    # Training takes from seconds to minutes: the transaction that read its data ends first. On SQLite
    # every transaction holds the database's write lock (kernel.db), so intake and every page would
    # wait for the whole training; on PostgreSQL the outbox message's row lock is released too (a
    # second delivery meanwhile finds the version current, or builds one compared as usual).
    db.session.commit()
    if progress is None:
        result = retrain(data.kb, current)
    else:
        with progress(steps(len(data.kb.corrections))) as bar:
            result = retrain(data.kb, current, bar)
    scores = {"new_top1": result.new_top1, "old_top1": result.old_top1}
    row = store.save(city_id, data.table_id, data.kb, result.model, accepted=result.accepted, scores=scores,
                     held_back=result.held_back, activate=result.accepted or always_activate)
    return Built(row, before.version if before else None)


def _usable(model_id: int):
    """The stored version, or None when it no longer loads or predicts with this release of the
    router (its classes changed since it was pickled): it is then replaced without comparison."""
    try:
        model = store.load(model_id)
        model.predict("营业执照办理")
    except Exception:
        current_app.logger.exception("stored router model %s is unusable", model_id)
        return None
    return model


def is_current(city_id: int) -> bool:
    """The active version was trained on the current table and on every correction there is now."""
    active = db.session.scalar(select(RouterModel).where(RouterModel.city_id == city_id, RouterModel.active.is_(True)))
    if active is None:
        return False
    data = store.training(city_id)
    return data is not None and active.table_id == data.table_id and active.corrections == len(data.kb.corrections)


@register(RETRAIN_JOB, queue="training")
def retrain_city(city_id: int, force: bool = False) -> None:
    """The outbox job (the outbox commits the new version; unlike other jobs it does not train
    inside the message's transaction, see build_version)."""
    if force or not is_current(city_id):
        build_version(city_id)


def request_retrain(city_id: int, force: bool = False) -> bool:
    """Add a retrain job to the current transaction unless one for the city is already waiting
    (a dead-lettered one does not count)."""
    pending = db.session.scalars(
        select(OutboxMessage.args).where(OutboxMessage.job == RETRAIN_JOB, OutboxMessage.done_at.is_(None),
                                         OutboxMessage.dead_at.is_(None)))
    if any(args and args[0] == city_id for args in pending):
        return False
    outbox.add(RETRAIN_JOB, city_id, force)
    return True


@register("retrain_all")
def retrain_all() -> int:
    """The nightly periodic entry: one retrain job per city that has a division table."""
    cities = db.session.scalars(select(DivisionTable.city_id).distinct()).all()
    added = sum(request_retrain(city_id) for city_id in cities)
    db.session.commit()
    return added


def dispatch_dead(appeal_id: int) -> None:
    """The outbox dead-lettered the appeal's dispatch message: the appeal goes to manual dispatch."""
    from routing import dispatch

    dispatch.dispatch_failed(appeal_id)


@register(DISPATCH_JOB, batch=DISPATCH_BATCH, on_dead=dispatch_dead)
def dispatch_appeal(appeal_id: int) -> None:
    """The outbox job behind every received appeal (the outbox commits)."""
    from routing import dispatch  # imports this module: loaded when the first job runs

    dispatch.dispatch_appeal(appeal_id)
