"""POST /api/v1/appeals: operators and partner platforms submit appeals, one or a batch at a time."""
from flask import g
from marshmallow import ValidationError, fields

from accounts.auth import require_roles
from intake import service
from intake.schemas import AppealBatchInSchema, AppealInSchema
from kernel.http import Blueprint, abort_invalid
from kernel.schemas import BaseSchema
from models import Role
from workflow.views import AppealOutSchema, appeal_view

blp = Blueprint("intake", __name__, url_prefix="/api/v1/appeals", description="受理诉求")


class BatchResultSchema(BaseSchema):
    created = fields.Boolean(metadata={"description": "为假时本提交方已提交过该渠道编号，返回的是原诉求"})
    appeal = fields.Nested(AppealOutSchema)


class AppealBatchOutSchema(BaseSchema):
    results = fields.List(fields.Nested(BatchResultSchema), metadata={"description": "与提交顺序一致"})


@blp.route("", methods=["POST"])
@blp.arguments(AppealInSchema)
@blp.response(201, AppealOutSchema, description="已受理，返回受理编号")
@blp.alt_response(200, schema=AppealOutSchema, description="本提交方已提交过同一渠道同一编号，返回原诉求")
@require_roles(Role.operator, Role.partner, Role.admin)
def submit_appeal(data):
    """受理一件诉求（同一提交方在本市同一渠道的 external_id 只受理一次）"""
    try:
        appeal, created = service.submit(data, g.user)
    except ValidationError as error:
        abort_invalid(error.messages)
    return appeal_view(appeal, g.user), 201 if created else 200


@blp.route("/batch", methods=["POST"])
@blp.arguments(AppealBatchInSchema)
@blp.response(200, AppealBatchOutSchema, description="整批已受理，逐件返回受理结果")
@require_roles(Role.operator, Role.partner, Role.admin)
def submit_batch(data):
    """批量受理诉求（合作平台补推积压时用；整批在一个事务中受理，任何一件有误则整批不受理；
    每件须有 external_id，同一提交方的同一渠道编号只受理一次，整批重发是安全的）"""
    try:
        results = service.submit_many(data["appeals"], g.user)
    except ValidationError as error:
        abort_invalid({"appeals": error.messages})
    return {"results": [{"created": created, "appeal": appeal_view(appeal, g.user)} for appeal, created in results]}
