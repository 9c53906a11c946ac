"""Appending to an appeal's event log; each entry chains the keyed hash of the one before.

The hash is HMAC-SHA256 under AUDIT_KEY: without the key nobody can rewrite an entry and
recompute the chain. Deletions at the end of a chain are caught by the signed checkpoints of
every appeal's head (audit.checkpoints).
"""
import hashlib
import hmac
import json
from weakref import WeakKeyDictionary

from flask import current_app
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, SessionTransaction

from events.signals import event_recorded
from kernel.db import db
from models import Appeal, AppealEvent, User
from models.base import utcnow

GENESIS = "0" * 64
SYSTEM = "系统"


def event_body(event: AppealEvent) -> bytes:
    """What an entry's hash covers: its content and the previous entry's hash."""
    body = [
        event.prev_hash,
        event.appeal_id,
        event.seq,
        event.action,
        event.from_status,
        event.to_status,
        event.actor_id,
        event.actor,
        event.reason,
        event.data,
        event.created_at.isoformat(),
    ]
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode()


def audit_key() -> bytes:
    return current_app.config["AUDIT_KEY"].encode()


def event_digest(event: AppealEvent, key: bytes | None = None) -> str:
    """The entry's HMAC-SHA256 under `key` (default: the configured AUDIT_KEY)."""
    return hmac.new(key or audit_key(), event_body(event), hashlib.sha256).hexdigest()


def lock_appeal(appeal: Appeal) -> None:
    """Lock the appeal's row for the rest of the transaction (SELECT ... FOR UPDATE) and reload it.

    The one lock order of the event log: whoever appends to an appeal's events (a transition, a
    job, the scan, a read of full complainant data) takes this lock before reading or changing
    anything else of the appeal, then its clock, orders and events. Callers that load the appeal
    for a change do it in that query (`get_visible_appeal(..., for_update=True)`,
    `session.get(Appeal, id, with_for_update=True)`); a read that turns out to need an event calls
    this, so the view and the event both show the appeal as it is once the lock is held. Only for
    an appeal without unsaved changes: they would be reloaded away.
    """
    db.session.refresh(appeal, with_for_update=True)
    held(appeal.id)


# What the current transaction knows of the appeals it appends to, per (sub)transaction of the
# session (a savepoint is one): {appeal_id: newest event or None}. An appeal is in the dict of the
# transaction that took its row lock; its newest event, once recorded, is in the dict of the
# transaction that recorded it. Both hold as long as that transaction is open and the current one
# is inside it: a savepoint rolled back loses its lock and its events, one released hands them to
# its parent, and both are then asked of PostgreSQL again.
_KNOWN = "event_log_known"
_UNKNOWN = object()


def _scopes(session: Session):
    """The current transaction and its parents, innermost first."""
    transaction: SessionTransaction | None = session.get_nested_transaction() or session.get_transaction()
    while transaction is not None:
        yield transaction
        transaction = transaction.parent


def _known(session: Session) -> WeakKeyDictionary:
    known = session.info.get(_KNOWN)
    if known is None:
        known = session.info[_KNOWN] = WeakKeyDictionary()
    return known


def held(appeal_id: int) -> None:
    """Note that the current transaction holds the appeal's row lock (the caller just took it with
    SELECT ... FOR UPDATE): the appends that follow in it do not lock again."""
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction()
    if transaction is not None:
        _known(session).setdefault(transaction, {}).setdefault(appeal_id, _UNKNOWN)


def _holds(session: Session, appeal_id: int) -> bool:
    known = session.info.get(_KNOWN)
    return known is not None and any(appeal_id in known.get(t, ()) for t in _scopes(session))


def _head(session: Session, appeal_id: int):
    """The newest event this transaction recorded for the appeal, if it still stands; else None."""
    known = session.info.get(_KNOWN)
    if known is None:
        return None
    for transaction in _scopes(session):
        head = known.get(transaction, {}).get(appeal_id, _UNKNOWN)
        if head is not _UNKNOWN:
            return head
    return None


def _new_head(session: Session, appeal_id: int, event: AppealEvent) -> None:
    """The appeal's newest event, in the current transaction; the outer ones forget theirs (a
    savepoint released would leave them stale)."""
    known = _known(session)
    scopes = list(_scopes(session))
    for transaction in scopes[1:]:
        entries = known.get(transaction)
        if entries is not None and entries.get(appeal_id, _UNKNOWN) is not _UNKNOWN:
            entries[appeal_id] = _UNKNOWN  # still locked by that transaction
    if scopes:
        known.setdefault(scopes[0], {})[appeal_id] = event


def _hold(appeal_id: int) -> None:
    """The appeal's row lock, for an appender that did not take it first: appends never race on
    (appeal_id, seq) whatever the caller did. Not asked again in a transaction that holds it."""
    session = db.session()
    if not _holds(session, appeal_id):
        session.execute(select(Appeal.id).where(Appeal.id == appeal_id).with_for_update())
        held(appeal_id)


def _last_event(appeal: Appeal):
    """The appeal's newest event (its seq and hash): the one this transaction recorded last, if
    any; else from its events when they are loaded (new events join them; loaded under the
    appeal's lock, they are all there), else one indexed query of the two columns."""
    head = _head(db.session(), appeal.id)
    if head is not None:
        return head
    if "events" in inspect(appeal).dict:
        return appeal.events[-1] if appeal.events else None
    return db.session.execute(
        select(AppealEvent.seq, AppealEvent.hash).where(AppealEvent.appeal_id == appeal.id)
        .order_by(AppealEvent.seq.desc()).limit(1)
    ).first()


def record(
    appeal: Appeal,
    action: str,
    actor: User | None,
    *,
    from_status: str | None,
    reason: str | None = None,
    data: dict | None = None,
) -> AppealEvent:
    """Append an event: `from_status` is the state before (None at intake), `to_status` the current one.
    Receivers of `events.signals.event_recorded` run before it returns."""
    session = db.session()
    # A new appeal needs its id, and the query of the newest event must see every earlier event of
    # this transaction (none to query when this transaction recorded the newest itself); otherwise
    # nothing is flushed here, so that the caller's changes go out in one flush.
    if appeal.id is None or (_head(session, appeal.id) is None
                             and any(isinstance(obj, AppealEvent) for obj in session.new)):
        session.flush()
    with session.no_autoflush:
        _hold(appeal.id)
        last = _last_event(appeal)
    event = chained_event(appeal.id, last, action, actor, from_status=from_status, to_status=appeal.status,
                          reason=reason, data=data)
    event.appeal = appeal
    session.add(event)
    _new_head(session, appeal.id, event)
    event_recorded.send(appeal, event=event, actor=actor)
    return event


def chained_event(appeal_id: int, last, action: str, actor: User | None, *,
                  from_status: str | None, to_status: str | None, reason: str | None = None,
                  data: dict | None = None) -> AppealEvent:
    """The event that follows `last` (an event or a row with its seq and hash; None: the first),
    with its hash; not yet in the session."""
    event = AppealEvent(
        appeal_id=appeal_id,
        seq=(last.seq + 1) if last else 1,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor.id if actor else None,
        actor=(actor.display_name or actor.username) if actor else SYSTEM,
        reason=reason,
        data=data,
        created_at=utcnow(),
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = event_digest(event)
    return event
