"""Answers that fuzzing and the access matrix once found wrong (500s, another city's data), pinned down one by one."""
import pytest

from tests.factories import World, appeal_body
from tests.webhooks.receivers import dispatched


def test_extension_to_a_year_without_holiday_data_is_refused_not_a_500(client, world):
    appeal = dispatched(world)
    _, lead = world.user("handler", unit="市工信局")
    response = client.post(f"/api/v1/appeals/{appeal.number}/extension", headers=lead,
                           json={"new_due": "2091-01-29", "reason": "需协调多个部门"})
    assert response.status_code == 409
    assert "2091" in response.get_json()["message"]


def test_an_id_beyond_32_bits_matches_no_route(client, world):
    _, admin = world.user("admin")
    for url in ("/api/v1/admin/subscriptions/18038900265697935360", "/api/v1/admin/deliveries/2147483648"):
        assert client.get(url, headers=admin).status_code == 404
    spec = client.get("/api/openapi.json").get_json()
    (parameter,) = spec["paths"]["/api/v1/admin/deliveries/{delivery_id}"]["parameters"]
    assert parameter["schema"]["maximum"] == 2**31 - 1


@pytest.mark.parametrize("url", [
    "/api/v1/appeals?page=18038900265697935360",
    "/api/v1/appeals?page=100001",
    "/api/v1/supervision/appeals?page=100001",
    "/api/v1/supervision/appeals?min_age_days=99999999999",
    "/api/v1/admin/deliveries?page=100001",
    "/api/v1/supervision/measures?month=0000-01",
    "/api/v1/supervision/bulletin?month=9999-12",
    "/api/v1/supervision/bulletin.xlsx?month=２０２６-01",
])
def test_out_of_range_query_values_are_refused_with_400(client, world, url):
    _, admin = world.user("admin")
    response = client.get(url, headers=admin)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["errors"]


def test_open311_documents_its_own_error_list(client, world):
    spec = client.get("/api/openapi.json").get_json()
    documented = spec["paths"]["/open311/v2/requests.{format}"]["get"]["responses"]["default"]
    response = client.get("/open311/v2/requests.json")
    assert response.status_code == 403
    assert documented["content"]["application/json"]["schema"]["type"] == "array"
    assert list(response.get_json()[0]) == ["code", "description"]


@pytest.mark.parametrize("method, url, kwargs", [
    ("GET", "/api/v1/admin/deliveries?appeal=%00", {}),
    ("GET", "/api/v1/appeals/JC%00/", {}),
    ("GET", "/api/v1/appeals?enterprise=a%00b", {}),
    ("POST", "/api/v1/appeals", {"json": {"city": "金\u0000昌"}}),
    ("POST", "/api/v1/admin/partners", {"json": {"slug": "p", "name": "平台", "mapping": {"fields": {"a\u0000": "b"}}}}),
    ("POST", "/login", {"data": {"username": "admin\u0000", "password": "x"}}),
    ("GET", "/operator/search?q=%00", {}),
])
def test_a_nul_character_anywhere_is_a_400_not_a_database_error(client, world, method, url, kwargs):
    _, admin = world.user("admin")
    response = client.open(url, method=method, headers=admin, **kwargs)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]


def test_an_out_of_range_subscription_filter_is_a_400(client, world):
    _, admin = world.user("admin")
    assert client.get("/api/v1/admin/deliveries?subscription=2147483648", headers=admin).status_code == 400


def test_staff_of_another_city_cannot_file_into_this_city_nor_read_it_back_by_external_id(client, world):
    _, home_operator = world.user("operator")
    body = appeal_body()
    assert client.post("/api/v1/appeals", json=body, headers=home_operator).status_code == 201
    _, stranger = World(name="嘉峪关", code="JYG").user("operator")
    into_this_city = client.post("/api/v1/appeals", json=appeal_body(), headers=stranger)
    assert into_this_city.status_code == 400 and "city" in into_this_city.get_json()["errors"]
    # External ids are per city (issue 21 #20): the same id there is that city's own appeal.
    same_id_at_home = client.post("/api/v1/appeals", json={**body, "city": "嘉峪关", "text": "嘉峪关的另一件诉求内容。"},
                                  headers=stranger)
    assert same_id_at_home.status_code == 201
    assert same_id_at_home.get_json()["number"].startswith("JYG")
    assert body["text"] not in same_id_at_home.get_data(as_text=True)
