"""Router API: suggestions while an appeal is typed, model versions, retraining on demand."""
from flask import g
from flask_smorest import abort
from marshmallow import fields, validate

from accounts.auth import require_roles
from kernel.db import db
from kernel.http import Blueprint
from kernel.schemas import BaseSchema
from models import Role
from routing import jobs, service, store
from tables.queries import current_table

blp = Blueprint("routing", __name__, url_prefix="/api/v1/routing", description="自动分拨")
NO_MODEL = "本市尚未训练分拨模型"


class SuggestInSchema(BaseSchema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=5000, error="诉求内容应为1至5000字"),
                         error_messages={"required": "请填写诉求内容"})
    enterprise = fields.String(load_default=None, validate=validate.Length(max=200, error="企业名称不超过200字"))
    uscc = fields.String(load_default=None, validate=validate.Length(equal=18, error="统一社会信用代码应为18位"))


class CandidateSchema(BaseSchema):
    unit = fields.String()
    p = fields.Float(metadata={"description": "概率"})
    matter = fields.String(metadata={"description": "最能说明该选择的任务分工表事项（仅首选单位）"})


class DuplicateSchema(BaseSchema):
    number = fields.String()
    status = fields.String()


class SuggestOutSchema(BaseSchema):
    lead = fields.String(allow_none=True, metadata={"description": "建议主办单位；人工分拨时为空"})
    urgency = fields.String(metadata={"description": "建议紧急程度：emergency/urgent/normal/consult"})
    manual = fields.Boolean(metadata={"description": "是否建议人工分拨"})
    reason = fields.String(metadata={"description": "auto/below_threshold/no_content/not_routable/emergency_unsure"})
    candidates = fields.List(fields.Nested(CandidateSchema))
    top_words = fields.List(fields.String(), metadata={"description": "影响最大的词语"})
    duplicates = fields.List(fields.Nested(DuplicateSchema), metadata={"description": "同一企业未办结的疑似重复件"})
    suggested_assisting = fields.List(fields.String(), metadata={"description": "任务分工表中该事项的其他单位（仅供参考，不自动指定）"})
    life_danger = fields.Boolean(metadata={"description": "危及生命：须同时转 110/119/120（三台联动）"})
    handover = fields.List(fields.String(), metadata={"description": "应转接的应急电话：110、119、120"})
    model_version = fields.Integer()


class ScoresSchema(BaseSchema):
    new_top1 = fields.Float(allow_none=True, metadata={"description": "新版本在留出纠正上的首选准确率"})
    old_top1 = fields.Float(allow_none=True, metadata={"description": "原版本在同一批纠正上的首选准确率"})


class ModelVersionSchema(BaseSchema):
    version = fields.Integer()
    created_at = fields.DateTime()
    active = fields.Boolean()
    accepted = fields.Boolean(metadata={"description": "在留出纠正上不差于当时的版本"})
    table_id = fields.Integer(allow_none=True)
    units = fields.Integer()
    matters = fields.Integer()
    corrections = fields.Integer()
    held_back = fields.Integer()
    scores = fields.Nested(ScoresSchema)
    threshold = fields.Float()


class RetrainOutSchema(BaseSchema):
    queued = fields.Boolean(metadata={"description": "false：已有待执行的重新训练任务"})
    message = fields.String()


@blp.route("/suggest", methods=["POST"])
@blp.arguments(SuggestInSchema)
@blp.response(200, SuggestOutSchema)
@blp.alt_response(409, description=NO_MODEL)
@require_roles(Role.operator, Role.dispatcher, Role.admin)
def suggest(args):
    """分拨建议：建议主办单位、前三候选及概率、紧急程度、疑似重复件"""
    suggestion = service.suggest(g.user.city.name, args["text"], args["enterprise"], args["uscc"])
    if suggestion is None:
        abort(409, message=NO_MODEL)
    return suggestion


@blp.route("/models", methods=["GET"])
@blp.response(200, ModelVersionSchema(many=True))
@require_roles(Role.admin, Role.supervisor)
def list_models():
    """本市分拨模型的各版本：训练数据规模、留出评估结果、是否启用"""
    return store.versions(g.user.city_id)


@blp.route("/models/retrain", methods=["POST"])
@blp.response(202, RetrainOutSchema)
@blp.alt_response(409, description="本市尚未导入任务分工表")
@require_roles(Role.admin)
def retrain():
    """重新训练：后台用当前任务分工表和全部纠正训练新版本，不差于当前版本才启用"""
    if current_table(g.user.city_id) is None:
        abort(409, message="本市尚未导入任务分工表")
    queued = jobs.request_retrain(g.user.city_id, force=True)
    db.session.commit()
    return {"queued": queued, "message": "已加入重新训练队列" if queued else "已有待执行的重新训练任务"}
