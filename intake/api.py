"""POST /api/v1/appeals: operators and partner platforms submit appeals."""
from flask import g
from flask_smorest import abort
from marshmallow import ValidationError

from accounts.auth import require_roles
from app.api import Blueprint
from intake import service
from intake.schemas import AppealInSchema
from models import Role
from workflow.views import AppealOutSchema, appeal_view

blp = Blueprint("intake", __name__, url_prefix="/api/v1/appeals", description="受理诉求")


@blp.route("", methods=["POST"])
@blp.arguments(AppealInSchema)
@blp.response(201, AppealOutSchema, description="已受理，返回受理编号")
@blp.alt_response(200, schema=AppealOutSchema, description="同一渠道同一编号已受理过，返回原诉求")
@blp.doc(security=[{"bearerAuth": []}])
@require_roles(Role.operator, Role.partner, Role.admin)
def submit_appeal(data):
    """受理一件诉求（同一渠道的 external_id 只受理一次）"""
    try:
        appeal, created = service.submit(data, g.user)
    except ValidationError as error:
        abort(400, message="提交的数据有误，请按提示修改", errors=error.messages)
    return appeal_view(appeal, g.user), 201 if created else 200
