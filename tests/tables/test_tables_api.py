"""Admin API: the unit register, aliases and the lead units of current matters."""
from sqlalchemy import select

from kernel.db import db
from models import Matter, Unit
from tables.importer import import_table
from tables.queries import knowledge
from tests.factories import World
from tests.tables.conftest import V2

URL = "/api/v1/admin"


def unit_id(world, name) -> int:
    return db.session.scalar(select(Unit.id).where(Unit.city_id == world.city.id, Unit.name == name))


def matters(client, headers, query="") -> dict:
    response = client.get(f"{URL}/matters{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_units_are_listed_for_admins_and_supervisors_only(client, imported):
    _, supervisor = imported.user("supervisor")
    body = client.get(f"{URL}/units", headers=supervisor).get_json()
    by_name = {u["name"]: u for u in body}
    assert {"市工信局", "工信局", "工业和信息化局"} <= set(by_name["市工业和信息化局"]["aliases"])
    assert by_name["各县区"] | {"aliases": None} == {
        "id": unit_id(imported, "各县区"), "name": "各县区", "aliases": None, "kind": "placeholder",
        "routable": False, "retired": False, "retired_at": None, "corrected_at": None, "division_code": None}
    assert by_name["市中级人民法院"]["retired"] and by_name["市中级人民法院"]["retired_at"]
    _, handler = imported.user("handler", "市工信局")
    assert client.get(f"{URL}/units", headers=handler).status_code == 403
    assert client.get(f"{URL}/units").status_code == 401


def test_admin_corrects_a_unit(client, imported):
    _, admin = imported.user("admin")
    _, supervisor = imported.user("supervisor")
    tax = unit_id(imported, "市税务局")
    response = client.patch(f"{URL}/units/{tax}", json={"routable": False}, headers=admin)
    assert response.status_code == 200
    assert response.get_json()["routable"] is False and response.get_json()["corrected_at"]
    assert client.patch(f"{URL}/units/{tax}", json={"routable": True}, headers=supervisor).status_code == 403
    placeholder = client.patch(f"{URL}/units/{unit_id(imported, '各县区')}", json={"routable": True}, headers=admin)
    assert placeholder.status_code == 409
    assert placeholder.get_json()["message"] == "「各县区」是占位名称（如“各县区”），不能设为可分拨单位"
    county = client.patch(f"{URL}/units/{unit_id(imported, '金川区')}", json={"routable": True}, headers=admin)
    assert county.status_code == 409 and "属地" in county.get_json()["message"]
    assert client.patch(f"{URL}/units/{tax}", json={}, headers=admin).get_json()["errors"] == {
        "kind": ["请至少修改一项：kind、routable 或 division_code"]}
    assert "未知单位类别" in client.patch(f"{URL}/units/{tax}", json={"kind": "bank"},
                                         headers=admin).get_json()["errors"]["kind"][0]
    made = client.patch(f"{URL}/units/{unit_id(imported, '金川区')}", json={"kind": "department", "routable": True},
                        headers=admin)
    assert made.status_code == 200 and made.get_json()["kind"] == "department"


def test_units_of_another_city_are_not_found(client, imported):
    other = World("新密", "XM")
    _, admin = other.user("admin")
    assert client.patch(f"{URL}/units/{unit_id(imported, '市税务局')}", json={"routable": False},
                        headers=admin).status_code == 404
    assert client.get(f"{URL}/matters", headers=admin).get_json()["message"] == "本市尚未导入任务分工表"


def test_aliases_are_added_and_removed(client, imported):
    _, admin = imported.user("admin")
    stats = unit_id(imported, "市统计局")
    added = client.post(f"{URL}/units/{stats}/aliases", json={"alias": "统计部门"}, headers=admin)
    assert added.status_code == 201 and "统计部门" in added.get_json()["aliases"]
    taken = client.post(f"{URL}/units/{unit_id(imported, '市税务局')}/aliases", json={"alias": "统计部门"}, headers=admin)
    assert taken.status_code == 409
    assert taken.get_json()["message"] == "别名「统计部门」已指向「市统计局」，同一别名不能指向两个单位"
    name = client.post(f"{URL}/units/{stats}/aliases", json={"alias": "市财政局"}, headers=admin)
    assert name.status_code == 409 and "已指向「市财政局」" in name.get_json()["message"]
    assert client.post(f"{URL}/units/{stats}/aliases", json={}, headers=admin).get_json()["errors"] == {
        "alias": ["请填写别名"]}
    assert client.delete(f"{URL}/units/{stats}/aliases/统计部门", headers=admin).status_code == 204
    gone = client.delete(f"{URL}/units/{stats}/aliases/统计部门", headers=admin)
    assert gone.status_code == 404 and gone.get_json()["message"] == "「市统计局」没有别名「统计部门」"


def test_matters_of_the_current_version(client, imported, table_file):
    _, supervisor = imported.user("supervisor")
    body = matters(client, supervisor)
    assert (body["city"], body["version"], body["source"]) == ("金昌", 1, "v1.txt")
    first = body["matters"][0]
    assert first["lead_units"] == ["市发展改革委"] and first["assisting_units"] == ["市财政局", "金川区"]
    assert first["lines"] == [1, 1] and first["corrected_by"] is None and not first["lead_is_default"]
    assert [m["number"] for m in matters(client, supervisor, "?lead_is_default=true")["matters"]] == ["2", "4"]
    assert [m["number"] for m in matters(client, supervisor, "?lead_is_default=false")["matters"]] == ["1", "3"]
    import_table("金昌", table_file(V2))
    db.session.commit()
    assert matters(client, supervisor)["version"] == 2


def test_admin_changes_the_leads_of_a_matter(client, imported, table_file):
    admin_user, admin = imported.user("admin")
    _, supervisor = imported.user("supervisor")
    second = matters(client, admin)["matters"][1]
    url = f"{URL}/matters/{second['id']}"
    assert client.patch(url, json={"lead_units": ["市税务局"]}, headers=supervisor).status_code == 403
    response = client.patch(url, json={"lead_units": ["税务局", "市发改委"]}, headers=admin)
    assert response.status_code == 200, response.get_json()
    changed = response.get_json()
    assert changed["lead_units"] == ["市税务局", "市发展改革委"]
    assert changed["assisting_units"] == ["市工业和信息化局"] and not changed["lead_is_default"]
    assert changed["corrected_by"] == admin_user.username and changed["corrected_at"]
    assert knowledge(imported.city.id).matters[1].lead_units == ("市税务局", "市发展改革委")

    bad = client.patch(url, json={"lead_units": ["市气象局", "各县区", "市中级人民法院"]}, headers=admin)
    assert bad.status_code == 400 and bad.get_json()["errors"] == {"lead_units": [
        "本市没有在用的单位「市气象局」", "「各县区」是占位名称，不能作为牵头单位", "本市没有在用的单位「市中级人民法院」"]}
    assert client.patch(url, json={"lead_units": []}, headers=admin).get_json()["errors"] == {
        "lead_units": ["请填写1至10个牵头单位"]}

    import_table("金昌", table_file(V2))
    db.session.commit()
    assert client.patch(url, json={"lead_units": ["市税务局"]}, headers=admin).status_code == 409
    again = matters(client, admin)["matters"][1]
    assert again["id"] != second["id"] and again["lead_units"] == ["市税务局", "市发展改革委"]
    assert again["corrected_by"] == admin_user.username


def test_matters_of_another_city_are_not_found(client, imported):
    matter_id = db.session.scalar(select(Matter.id).limit(1))
    other = World("新密", "XM")
    _, admin = other.user("admin")
    assert client.patch(f"{URL}/matters/{matter_id}", json={"lead_units": ["市税务局"]},
                        headers=admin).status_code == 404


def test_a_placeholder_an_admin_reclassified_may_lead(client, imported):
    _, admin = imported.user("admin")
    county = unit_id(imported, "各县区")
    assert client.patch(f"{URL}/units/{county}", json={"kind": "department"}, headers=admin).status_code == 200
    fourth = matters(client, admin)["matters"][3]
    changed = client.patch(f"{URL}/matters/{fourth['id']}", json={"lead_units": ["各县区"]}, headers=admin).get_json()
    assert (changed["lead_units"], changed["placeholders"], changed["lead_is_default"]) == (["各县区"], [], False)


def test_admin_edits_a_territorys_division_code(client, imported, table_file):
    _, admin = imported.user("admin")
    county = unit_id(imported, "永昌县")
    listed = {u["name"]: u for u in client.get(f"{URL}/units", headers=admin).get_json()}
    assert (listed["永昌县"]["division_code"], listed["金昌经开区"]["division_code"]) == ("620321", "620300K1")
    changed = client.patch(f"{URL}/units/{county}", json={"division_code": "620322"}, headers=admin)
    assert changed.status_code == 200 and changed.get_json()["division_code"] == "620322"
    bad = client.patch(f"{URL}/units/{county}", json={"division_code": "62-03"}, headers=admin)
    assert bad.status_code == 400 and "行政区划代码" in bad.get_json()["errors"]["division_code"][0]
    tax = unit_id(imported, "市税务局")
    refused = client.patch(f"{URL}/units/{tax}", json={"division_code": "620321"}, headers=admin)
    assert refused.status_code == 409 and "不是属地单位" in refused.get_json()["message"]
    # an admin's code survives a re-import
    import_table("金昌", table_file(V2))
    db.session.commit()
    assert db.session.get(Unit, county).division_code == "620322"
