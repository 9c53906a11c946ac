"""The intake payload, the single description of what an appeal submission looks like."""
from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from intake.validators import normalise_uscc, validate_phone, validate_uscc
from kernel.schemas import BaseSchema
from kernel.vocabulary import Channel, Urgency
from privacy.lookup import normalise_phone

MAX_TEXT = 5000


class EnterpriseSchema(BaseSchema):
    name = fields.String(
        required=True,
        validate=validate.Length(min=2, max=200, error="企业名称应为2至200个字"),
        error_messages={"required": "请填写企业名称"},
    )
    uscc = fields.String(
        load_default=None, allow_none=True, validate=validate_uscc, metadata={"description": "统一社会信用代码"}
    )

    @post_load
    def tidy(self, data, **kwargs):
        if data.get("uscc"):
            data["uscc"] = normalise_uscc(data["uscc"])
        return data


class ComplainantSchema(BaseSchema):
    name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64, error="诉求人姓名应为1至64个字"),
        error_messages={"required": "请填写诉求人姓名或称呼"},
    )
    phone = fields.String(
        required=True, validate=validate_phone, error_messages={"required": "请填写联系电话"}
    )

    @post_load
    def tidy(self, data, **kwargs):
        data["phone"] = normalise_phone(data["phone"])
        return data


class AppealInSchema(BaseSchema):
    city = fields.String(
        required=True, validate=validate.Length(min=1, max=64), error_messages={"required": "请填写所属城市"}
    )
    channel = fields.String(
        required=True,
        validate=validate.OneOf([c.value for c in Channel], error="未知渠道，可选：hotline、miniprogram、web、partner"),
        error_messages={"required": "请填写来源渠道"},
        metadata={"description": "合作平台账号提交的诉求一律记为 partner"},
    )
    external_id = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=128, error="渠道编号应为1至128个字符"),
        metadata={"description": "提交方自己的编号；同一提交方在本市同一渠道同一编号只受理一次，"
                                 "其他提交方或其他城市的相同编号是另一件诉求"},
    )
    enterprise = fields.Nested(EnterpriseSchema, required=True, error_messages={"required": "请填写企业信息"})
    complainant = fields.Nested(ComplainantSchema, required=True, error_messages={"required": "请填写诉求人信息"})
    text = fields.String(
        required=True,
        validate=validate.Length(min=5, max=MAX_TEXT, error=f"诉求内容应为5至{MAX_TEXT}个字"),
        error_messages={"required": "请填写诉求内容"},
    )
    address = fields.String(
        load_default=None, allow_none=True,
        validate=validate.Length(min=2, max=200, error="诉求地址应为2至200个字"),
        metadata={"description": "诉求事项所在地址（可不填）；用于确定属地县区、开发区"},
    )
    urgency = fields.String(
        load_default=Urgency.normal.value,
        validate=validate.OneOf(
            [u.value for u in Urgency], error="未知紧急程度，可选：emergency、urgent、normal、consult、complex"
        ),
    )

    life_danger = fields.Boolean(
        load_default=False,
        metadata={"description": "危及人身安全（三台联动）：须同时转 110/119/120，紧急程度即为紧急；话务员受理时勾选"},
    )

    @post_load
    def life_danger_is_an_emergency(self, data, **kwargs):
        if data["life_danger"]:  # danger to life now is an emergency, without exception
            data["urgency"] = Urgency.emergency.value
        return data


# A batch is one transaction; 100 appeals of ordinary length stay well under the 256 KiB body limit.
MAX_BATCH = 100


class AppealBatchInSchema(BaseSchema):
    appeals = fields.List(
        fields.Nested(AppealInSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_BATCH, error=f"每批应有1至{MAX_BATCH}件诉求"),
        error_messages={"required": "请填写 appeals（诉求列表）"},
    )

    @validates_schema
    def each_has_external_id(self, data, **kwargs):
        """A batch answered by nothing (a lost connection) is sent again whole: only the channel's
        own ids make that safe."""
        missing = {i: {"external_id": ["批量受理时每件诉求都须有渠道编号（external_id），以便安全重发"]}
                   for i, item in enumerate(data["appeals"]) if not item.get("external_id")}
        if missing:
            raise ValidationError({"appeals": missing})
