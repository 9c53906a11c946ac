"""The dispatch job: route one received appeal, exactly once.

The router's decision is always recorded on the appeal (`Appeal.routing`: model version, whether
it was auto-dispatched, the top candidates with probabilities and the matter behind the choice,
the words that weighed most, the proposed urgency, a likely duplicate, the table's other units as
suggestions, and whether life is in danger with the 110/119/120 lines to pass it to). A confident decision
dispatches the appeal to its lead unit (event `route`); otherwise it goes to manual dispatch
(`to_manual`) with the suggestions attached. Unit names are resolved among the appeal's own city's
units only, so a decision can never reach another city's unit. The appeal's territory (属地) is
located first and joins the handling as routing/territory.py decides (`Appeal.routing["territory"]`).
"""
from flask import current_app
from sqlalchemy import inspect, select
from sqlalchemy.orm import defer, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from events.log import held
from kernel.db import db
from kernel.vocabulary import URGENCY_LABELS, URGENCY_RANK, Channel, Status
from models import Appeal, Unit
from routing import jobs, service, territory
from tables import territories as territory_data
from tables.queries import current_matters, current_table
from workflow.transitions import dispatch, set_urgency, to_manual

ERROR_REASON = "待人工分拨：自动分拨暂时出错，已安排重新训练模型"
FAILED_REASON = "待人工分拨：自动分拨多次失败，已停止重试，请人工分拨"
NO_MODEL_REASON = "待人工分拨：本市尚未导入任务分工表或尚未训练分拨模型"
MANUAL_REASONS = {
    "below_threshold": "待人工分拨：自动分拨把握不足，请参考建议单位",
    "no_content": "待人工分拨：诉求内容过短或无可分拨内容",
    "not_routable": "待人工分拨：诉求不属于本市任务分工表所列单位的职责",
    "emergency_unsure": "待人工分拨（优先）：紧急诉求所涉险情不在建议单位职责内，请立即人工分拨",
}
UNKNOWN_UNIT_REASON = "待人工分拨：建议的单位「{name}」不是本市可分拨的单位"
DUPLICATE_REASON = "待人工分拨：疑似重复件，与同一企业未办结的诉求{number}内容相近"
ROUTER_URGENCY_REASON = "未经话务员研判的诉求，按自动分拨建议由「{before}」调整为「{after}」"
# Nothing here reads the complainant's data: left undecrypted.
LOCK_OPTIONS = [defer(Appeal.complainant_name), defer(Appeal.complainant_phone)]


def dispatch_appeal(appeal_id: int) -> None:
    """Run inside `jobs.outbox.run`'s transaction; an appeal already routed is left alone."""
    appeal = db.session.get(Appeal, appeal_id, with_for_update=True, options=LOCK_OPTIONS)
    if appeal is None or appeal.status != Status.received:
        return
    held(appeal.id)  # locked above: its events need not lock it again
    _never_dispatched(appeal)
    table = _per_transaction("table", appeal.city_id, lambda: current_table(appeal.city_id))
    placement = place(appeal)
    try:
        routed = service.route(appeal)
    except Exception:  # e.g. a version stored by an older release of the router: never leave the appeal waiting
        current_app.logger.exception("router failed on appeal %s", appeal.number)
        jobs.request_retrain(appeal.city_id, force=True)
        appeal.routing = {"model_version": None, "auto": False, "reason": "router_error"}
        to_manual(appeal, ERROR_REASON, data=appeal.routing)
        return
    if table is not None and (routed is None or routed.model.table_id != table.id):
        jobs.request_retrain(appeal.city_id)  # a first model, or one for the new table
    if routed is None:
        appeal.routing = {"model_version": None, "auto": False, "reason": "no_model"}
        to_manual(appeal, NO_MODEL_REASON, data=appeal.routing)
        return
    decision = routed.decision
    units = _units(appeal.city_id, [decision.lead, *decision.assisting]) if decision.lead else {}
    if decision.duplicate_of:
        reason = DUPLICATE_REASON.format(number=decision.duplicate_of)
    elif decision.manual:
        reason = MANUAL_REASONS.get(decision.reason, MANUAL_REASONS["below_threshold"])
    elif decision.lead not in units:
        reason = UNKNOWN_UNIT_REASON.format(name=decision.lead)
    else:
        reason = None
    appeal.division_table_id = routed.model.table_id
    appeal.routing = routing_record(appeal, routed, auto=reason is None)
    # Danger to life (三台联动) flagged by the router stays on the appeal whatever the channel: the
    # pages warn until the hand-over to 110/119/120 is recorded, and the dispatch queue heads with it.
    appeal.life_danger = appeal.life_danger or bool(appeal.routing.get("life_danger"))
    _apply_router_urgency(appeal)
    lead = units.get(decision.lead) if reason is None else None
    assisting = [units[name] for name in decision.assisting if name in units]
    if placement is not None:
        lead, assisting = _with_territory(appeal, placement, table, lead, assisting, decision)
    if reason is None:
        dispatch(appeal, lead, assisting, None, action="route", data=_event_data(appeal.routing))
    else:
        to_manual(appeal, reason, data=_event_data(appeal.routing))


def dispatch_failed(appeal_id: int) -> None:
    """The appeal's dispatch message failed every attempt and was dead-lettered (jobs.outbox): an
    appeal still waiting goes to manual dispatch, where dispatchers see it, instead of waiting
    unseen. Its routing record says why; a later `flask jobs retry` finds it no longer received."""
    appeal = db.session.get(Appeal, appeal_id, with_for_update=True, options=LOCK_OPTIONS, populate_existing=True)
    if appeal is None or appeal.status != Status.received:
        return
    _never_dispatched(appeal)
    appeal.routing = {"model_version": None, "auto": False, "reason": "dispatch_failed"}
    to_manual(appeal, FAILED_REASON, data=appeal.routing)
    current_app.logger.warning("appeal %s left to manual dispatch: its dispatch job failed every attempt", appeal.number)


def _per_transaction(what: str, city_id: int, load):
    """`load()`, read once per city and transaction: a dispatch batch routes up to fifty appeals in
    one transaction, and the city's table and units change only by an admin's import."""
    memo = db.session.info.get("dispatch_memo")
    transaction = db.session().get_transaction()
    if memo is None or memo[0] is not transaction:
        memo = db.session.info["dispatch_memo"] = (transaction, {})
    if (what, city_id) not in memo[1]:
        memo[1][what, city_id] = load()
    return memo[1][what, city_id]


def territories_of(appeal: Appeal) -> list[territory.Territory]:
    """The city's active territorial units, with their codes (former ones from tables/territories.json)."""
    return _per_transaction("territories", appeal.city_id, lambda: _territories(appeal.city_id, appeal.city.name))


def _territories(city_id: int, city_name: str) -> list[territory.Territory]:
    units = db.session.scalars(select(Unit).options(selectinload(Unit.aliases)).where(
        Unit.city_id == city_id, Unit.kind == "jurisdiction", Unit.retired_at.is_(None)).order_by(Unit.id))
    former = {e["name"]: tuple(e.get("former_codes", ())) for e in territory_data.entries(city_name)}
    return [territory.Territory(u.id, u.name, tuple(c for c in (u.division_code, *former.get(u.name, ())) if c),
                                (u.name, *(a.alias for a in u.aliases))) for u in units]


def place(appeal: Appeal) -> territory.Placement | None:
    """Locate the appeal's territory and record it on the appeal."""
    placement = territory.locate(appeal.address, appeal.text, appeal.enterprise_uscc, territories_of(appeal))
    if placement is not None:
        appeal.territory_unit = db.session.get(Unit, placement.territory.id)
        appeal.territory_source = placement.source
    return placement


def _with_territory(appeal, placement, table, lead: Unit | None, assisting: list[Unit], decision):
    """Lead and assisting units with the territory in its part (none, 属地 co-handler, or lead)."""
    rules = territory.rules_for(appeal.city.name)
    matter = (decision.explanation or {}).get("matter") or ""
    named = not rules.all_rows and table is not None and bool(matter) and _row_names_territories(table, matter)
    role, why = territory.role(appeal.text, named, lead is not None, rules)
    appeal.routing = {**appeal.routing, "territory": {
        "unit": placement.territory.name, "source": placement.source, "role": role, "why": why}}
    if role is None:
        return lead, assisting
    unit = appeal.territory_unit
    if role == "lead":
        return unit, [u for u in (lead, *assisting) if u is not None]
    return lead, [*assisting, unit]


def _row_names_territories(table, matter_text: str) -> bool:
    """Whether the table row behind the router's choice names territorial units or 各县区."""
    for matter in current_matters(table):
        if (matter.measure or matter.upper_measure) and (matter.measure or matter.upper_measure) in matter_text:
            return any(row.unit.kind == "jurisdiction"
                       or (row.role == "placeholder" and territory_data.is_territorial(row.unit.name))
                       for row in matter.units)
    return False


def _apply_router_urgency(appeal: Appeal) -> None:
    """Where no operator judged the urgency (every channel but the hotline), the router's proposal
    applies when it is more urgent than the submitted one: an event before the dispatch, whose
    clock then runs under the new urgency. The hotline operator's choice stands."""
    routing = appeal.routing
    before, after = appeal.urgency, routing.get("urgency")
    if appeal.channel == Channel.hotline or URGENCY_RANK.get(after, -1) <= URGENCY_RANK.get(before, 1):
        return
    appeal.routing = {**routing, "urgency_applied": True, "submitted_urgency": before}
    set_urgency(appeal, after, None, ROUTER_URGENCY_REASON.format(before=URGENCY_LABELS.get(before, before),
                                                                  after=URGENCY_LABELS.get(after, after)),
                data={"source": "router"})


def _never_dispatched(appeal: Appeal) -> None:
    """A received appeal has never been dispatched (no transition leads back to `received`), so it
    has no clock and no assisting units: set as loaded, instead of two lazy loads whose autoflush
    also wrote the appeal twice."""
    loaded = inspect(appeal).dict
    for key, empty in (("clock", None), ("assisting_units", [])):
        if key not in loaded:
            set_committed_value(appeal, key, empty)


def routing_record(appeal: Appeal, routed: service.Routed, auto: bool) -> dict:
    decision = routed.decision
    return {
        "model_version": routed.model.version,
        "auto": auto,
        "reason": decision.reason,
        "confidence": decision.confidence,
        "threshold": routed.model.model.threshold,
        "candidates": service.candidates_view(decision),
        "top_words": (decision.explanation or {}).get("words", []),
        "urgency": decision.urgency,
        # More urgent than submitted: applied where no operator judged it (_apply_router_urgency),
        # only noted for the dispatcher on the hotline, where the operator's choice stands.
        "urgency_higher": URGENCY_RANK.get(decision.urgency, 1) > URGENCY_RANK.get(appeal.urgency, 1),
        "duplicate_of": decision.duplicate_of,
        "suggested_assisting": decision.suggested,  # the table's other units: shown, not assigned
        # life in danger now: the appeal must also be passed to these emergency lines (三台联动)
        "life_danger": decision.life_danger,
        "handover": decision.handover,
        "hazards": decision.hazards,
        "first_in_queue": decision.first_in_queue,
    }


def _event_data(routing: dict) -> dict:
    return {"model_version": routing["model_version"], "candidates": routing["candidates"],
            "urgency": routing["urgency"], "duplicate_of": routing["duplicate_of"],
            "life_danger": routing["life_danger"], "handover": routing["handover"]}


def _units(city_id: int, names: list[str]) -> dict[str, Unit]:
    """The city's active, routable units with these names (never another city's)."""
    routable = _per_transaction("units", city_id, lambda: {u.name: u for u in db.session.scalars(select(Unit).where(
        Unit.city_id == city_id, Unit.retired_at.is_(None), Unit.routable.is_(True)))})
    return {name: routable[name] for name in names if name in routable}

