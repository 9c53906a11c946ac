"""Admin API: the unit register (kind, routable, aliases) and lead units of current matters.

Supervisors may read; only admins change. The read-only unit list for dispatchers is
GET /api/v1/units in workflow.api.
"""
from flask import g
from flask_smorest import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accounts.auth import require_roles
from kernel.db import db
from kernel.http import Blueprint
from models import LeadCorrection, Matter, MatterUnit, Role, Unit
from tables.corrections import CorrectionError, add_alias, correct_leads, correct_unit, remove_alias
from tables.queries import current_matters, current_table, matter_entry
from tables.schemas import (
    AliasInSchema,
    MatterListSchema,
    MatterOutSchema,
    MatterPatchSchema,
    MatterQuerySchema,
    UnitAdminOutSchema,
    UnitPatchSchema,
)

blp = Blueprint("tables_admin", __name__, url_prefix="/api/v1/admin", description="单位名册与任务分工表管理")
NO_TABLE = "本市尚未导入任务分工表"


def unit_view(unit: Unit) -> dict:
    return {"id": unit.id, "name": unit.name, "aliases": [a.alias for a in unit.aliases], "kind": unit.kind,
            "routable": unit.routable, "retired": unit.retired_at is not None, "retired_at": unit.retired_at,
            "corrected_at": unit.corrected_at, "division_code": unit.division_code}


def matter_view(matter: Matter, correction: LeadCorrection | None) -> dict:
    entry = matter_entry(matter)
    corrected = correction is not None and list(entry.lead_units) == correction.lead_units
    return {"id": matter.id, "ordinal": matter.ordinal, **{k: getattr(entry, k) for k in (
        "part", "number", "section", "task", "upper_measure", "measure", "lead_units", "assisting_units",
        "placeholders", "lead_is_default", "deadline", "source", "lines")},
        "corrected_by": correction.changed_by.username if corrected and correction.changed_by else None,
        "corrected_at": correction.changed_at if corrected else None}


def _corrections(city_id: int) -> dict[str, LeadCorrection]:
    rows = db.session.scalars(select(LeadCorrection).where(LeadCorrection.city_id == city_id))
    return {c.matter_key: c for c in rows}


def _unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.city_id != g.user.city_id:
        abort(404, message="未找到该单位")
    return unit


def _refused(error: CorrectionError):
    db.session.rollback()
    abort(error.status, message=error.message, errors=error.errors)


@blp.route("/units", methods=["GET"])
@blp.response(200, UnitAdminOutSchema(many=True))
@require_roles(Role.admin, Role.supervisor)
def list_units():
    """本市单位名册（含已停用单位、别名、类别、是否可分拨）"""
    units = db.session.scalars(select(Unit).where(Unit.city_id == g.user.city_id)
                               .options(selectinload(Unit.aliases)).order_by(Unit.id))
    return [unit_view(u) for u in units]


@blp.route("/units/<int:unit_id>", methods=["PATCH"])
@blp.arguments(UnitPatchSchema)
@blp.response(200, UnitAdminOutSchema)
@require_roles(Role.admin)
def patch_unit(args, unit_id):
    """修改单位类别、是否可分拨或属地的行政区划代码（重新导入分工表时保留）"""
    unit = _unit(unit_id)
    try:
        correct_unit(unit, args.get("kind"), args.get("routable"), args.get("division_code", ""))
    except CorrectionError as error:
        _refused(error)
    db.session.commit()
    return unit_view(unit)


@blp.route("/units/<int:unit_id>/aliases", methods=["POST"])
@blp.arguments(AliasInSchema)
@blp.response(201, UnitAdminOutSchema)
@require_roles(Role.admin)
def post_alias(args, unit_id):
    """为单位添加别名（同一别名不能指向两个单位）"""
    unit = _unit(unit_id)
    try:
        add_alias(unit, args["alias"].strip())
    except CorrectionError as error:
        _refused(error)
    db.session.commit()
    return unit_view(unit)


@blp.route("/units/<int:unit_id>/aliases/<string:alias>", methods=["DELETE"])
@blp.response(204)
@require_roles(Role.admin)
def delete_alias(unit_id, alias):
    """删除单位的别名（重新导入分工表时不再添加）"""
    unit = _unit(unit_id)
    try:
        remove_alias(unit, alias, g.user)
    except CorrectionError as error:
        _refused(error)
    db.session.commit()


@blp.route("/matters", methods=["GET"])
@blp.arguments(MatterQuerySchema, location="query")
@blp.response(200, MatterListSchema)
@require_roles(Role.admin, Role.supervisor)
def list_matters(args):
    """当前版本任务分工表的事项及牵头、配合单位"""
    table = current_table(g.user.city_id)
    if table is None:
        abort(404, message=NO_TABLE)
    corrections = _corrections(g.user.city_id)
    views = [matter_view(m, corrections.get(m.key)) for m in current_matters(table)]
    if "lead_is_default" in args:
        views = [v for v in views if v["lead_is_default"] == args["lead_is_default"]]
    return {"city": table.city.name, "version": table.version, "table_id": table.id, "source": table.source_name,
            "matters": views}


@blp.route("/matters/<int:matter_id>", methods=["PATCH"])
@blp.arguments(MatterPatchSchema)
@blp.response(200, MatterOutSchema)
@require_roles(Role.admin)
def patch_matter(args, matter_id):
    """修改事项的牵头单位（其余单位改为配合；重新导入时沿用）"""
    matter = db.session.get(Matter, matter_id, options=[selectinload(Matter.units).selectinload(MatterUnit.unit)])
    table = current_table(g.user.city_id)
    if matter is None or matter.table.city_id != g.user.city_id:
        abort(404, message="未找到该事项")
    if matter.table_id != table.id:
        abort(409, message=f"只能修改当前版本（第{table.version}版）的事项")
    try:
        correction = correct_leads(matter, args["lead_units"], g.user)
    except CorrectionError as error:
        _refused(error)
    db.session.commit()
    return matter_view(matter, correction)
