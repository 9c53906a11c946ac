from types import SimpleNamespace

import pytest
from marshmallow import ValidationError

from tests.webhooks.receivers import PARTNER_MAPPING
from webhooks.mapping import MappingSchema, map_payload, resolve

PARTNER = SimpleNamespace(slug="wx", city=SimpleNamespace(name="金昌"))


def payload(**changes):
    ticket = {"id": 42, "company": {"name": "金昌某某材料有限公司"}, "contact": {"name": " 王女士 ", "mobile": 13912345678},
              "content": "办理施工许可被要求重复提交材料。", "level": "3"}
    return {"ticket": {**ticket, **changes}}


def test_paths_walk_objects_and_lists():
    data = {"a": {"b": [{"c": 1}, {"c": 2}]}}
    assert resolve(data, "a.b.1.c") == 2
    assert resolve(data, "a.b.2.c") is resolve(data, "a.x") is resolve(data, "a.b.c")


def test_mapped_payload_is_an_intake_submission():
    data = map_payload(PARTNER_MAPPING, payload(), PARTNER)
    assert data["external_id"] == "wx:42" and data["channel"] == "partner" and data["city"] == "金昌"
    assert data["complainant"] == {"name": "王女士", "phone": "13912345678"}
    assert data["urgency"] == "normal" and data["enterprise"] == {"name": "金昌某某材料有限公司", "uscc": None}


def test_list_paths_and_defaults():
    mapping = {"fields": {"external_id": "no", "enterprise.name": "org", "complainant.name": "people.0.name",
                          "complainant.phone": "people.0.tel", "text": "body"}}
    data = map_payload(mapping, {"no": "x1", "org": "金昌某某公司", "people": [{"name": "赵", "tel": "0935-8221234"}],
                                 "body": "希望尽快落实稳岗补贴。"}, PARTNER)
    assert data["urgency"] == "normal" and data["complainant"]["phone"] == "09358221234"


def test_missing_partner_id_is_reported_on_its_path():
    with pytest.raises(ValidationError) as error:
        map_payload(PARTNER_MAPPING, payload(id=None), PARTNER)
    assert error.value.messages == {"ticket.id": ["此项为必填项"]}


def test_namespaced_id_must_fit():
    with pytest.raises(ValidationError) as error:
        map_payload(PARTNER_MAPPING, payload(id="9" * 130), PARTNER)
    assert "1至128" in error.value.messages["ticket.id"][0]


def test_mapping_schema_shapes_and_checks_configuration():
    loaded = MappingSchema().load(PARTNER_MAPPING)
    assert loaded == {"fields": PARTNER_MAPPING["fields"], "values": PARTNER_MAPPING["values"]}
    with pytest.raises(ValidationError) as error:
        MappingSchema().load({**PARTNER_MAPPING, "values": {"urgency": {"1": "asap"}, "text": {}}})
    assert "未知紧急程度" in str(error.value.messages) and "只有 urgency" in str(error.value.messages)
    with pytest.raises(ValidationError) as error:
        MappingSchema().load({"values": {}})
    assert error.value.messages == {"fields": ["请填写字段对应关系"]}


def test_an_address_can_be_mapped():
    mapping = {**PARTNER_MAPPING, "fields": {**PARTNER_MAPPING["fields"], "address": "ticket.site"}}
    assert map_payload(mapping, payload(site="永昌县城关镇北海子路"), PARTNER)["address"] == "永昌县城关镇北海子路"
    assert map_payload(PARTNER_MAPPING, payload(), PARTNER)["address"] is None
