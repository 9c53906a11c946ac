"""Answers that fuzzing and the access matrix once found to be 500s, pinned down one by one."""
from tests.webhooks.receivers import dispatched


def test_extension_to_a_year_without_holiday_data_is_refused_not_a_500(client, world):
    appeal = dispatched(world)
    _, lead = world.user("handler", unit="市工信局")
    response = client.post(f"/api/v1/appeals/{appeal.number}/extension", headers=lead,
                           json={"new_due": "2091-01-29", "reason": "需协调多个部门"})
    assert response.status_code == 409
    assert "2091" in response.get_json()["message"]
