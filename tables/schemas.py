"""Schemas of the admin API for the unit register and the current division table."""
from marshmallow import ValidationError, fields, validate, validates_schema

from kernel.schemas import BaseSchema
from tables.units import KINDS

NAME = validate.Length(min=1, max=128, error="名称应为1至128个字")


class UnitAdminOutSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    aliases = fields.List(fields.String())
    kind = fields.String(metadata={"description": "、".join(KINDS)})
    routable = fields.Boolean()
    retired = fields.Boolean()
    retired_at = fields.DateTime(allow_none=True)
    corrected_at = fields.DateTime(allow_none=True, metadata={"description": "管理员修改类别或是否分拨的时间"})
    division_code = fields.String(allow_none=True, metadata={
        "description": "属地单位的行政区划代码（GB/T 2260）；含字母的是内部代码（开发区、乡镇街道没有国标代码）"})


class UnitPatchSchema(BaseSchema):
    kind = fields.String(validate=validate.OneOf(KINDS, error="未知单位类别，可选：" + "、".join(KINDS)))
    routable = fields.Boolean()
    division_code = fields.String(allow_none=True, validate=validate.Regexp(
        r"^[0-9A-Z]{6,12}$", error="行政区划代码应为6至12位数字或大写字母"))

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError("请至少修改一项：kind、routable 或 division_code", "kind")


class AliasInSchema(BaseSchema):
    alias = fields.String(required=True, validate=NAME, error_messages={"required": "请填写别名"})


class MatterOutSchema(BaseSchema):
    id = fields.Integer()
    ordinal = fields.Integer()
    part = fields.String()
    number = fields.String()
    section = fields.String()
    task = fields.String()
    upper_measure = fields.String()
    measure = fields.String()
    lead_units = fields.List(fields.String())
    assisting_units = fields.List(fields.String())
    placeholders = fields.List(fields.String())
    lead_is_default = fields.Boolean(metadata={"description": "表中未写明牵头单位、默认取了首个单位"})
    deadline = fields.String()
    source = fields.String()
    lines = fields.List(fields.Integer(), metadata={"description": "源文件中的首行和末行"})
    corrected_by = fields.String(allow_none=True)
    corrected_at = fields.DateTime(allow_none=True)


class MatterListSchema(BaseSchema):
    city = fields.String()
    version = fields.Integer()
    table_id = fields.Integer()
    source = fields.String()
    matters = fields.List(fields.Nested(MatterOutSchema))


class MatterQuerySchema(BaseSchema):
    lead_is_default = fields.Boolean(metadata={"description": "只列出牵头单位为默认（true）或非默认（false）的事项"})


class MatterPatchSchema(BaseSchema):
    lead_units = fields.List(
        fields.String(validate=NAME), required=True,
        validate=validate.Length(min=1, max=10, error="请填写1至10个牵头单位"),
        error_messages={"required": "请填写牵头单位"})
