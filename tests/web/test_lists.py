"""Every appeal list: the true total, filters and search, the same in the API and on the pages."""
import json
from datetime import timedelta

import pytest

from kernel.db import db
from models import Appeal
from models.base import utcnow
from sla.calendar import CHINA_TZ
from tests.factories import appeal_body
from tests.web.conftest import to_manual

MANY = 23  # more than one default page (20)


@pytest.fixture
def people(world):
    return {"operator": world.user("operator")[1], "supervisor": world.user("supervisor")[1],
            "dispatcher": world.user("dispatcher")[1]}


@pytest.fixture
def appeals(client, people):
    """MANY appeals: every fifth urgent and from the mini-program, one about 停车场."""
    numbers = []
    for i in range(MANY):
        body = appeal_body(urgency="urgent" if i % 5 == 0 else "normal",
                           channel="miniprogram" if i % 5 == 0 else "hotline")
        if i == 7:
            body["text"] = "园区停车场收费不合理，请相关部门核实处理。"
            body["enterprise"] = {"name": "金昌远航物流有限公司"}
        response = client.post("/api/v1/appeals", json=body, headers=people["operator"])
        assert response.status_code == 201, response.get_json()
        numbers.append(response.get_json()["number"])
    return numbers


def _list(client, headers, query=""):
    response = client.get(f"/api/v1/appeals?{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response


def test_api_pages_carry_the_true_total_and_the_pagination_header(client, people, appeals):
    first = _list(client, people["supervisor"])
    body = first.get_json()
    assert body["total"] == MANY and body["page_size"] == 20 and len(body["items"]) == 20
    header = json.loads(first.headers["X-Pagination"])
    assert header["total"] == MANY and header["total_pages"] == 2 and header["next_page"] == 2
    last = _list(client, people["supervisor"], "page=2").get_json()
    assert last["total"] == MANY and len(last["items"]) == MANY - 20
    assert {a["number"] for a in body["items"] + last["items"]} == set(appeals)


def test_api_filters_and_search(client, people, appeals):
    headers = people["supervisor"]
    assert _list(client, headers, "urgency=urgent").get_json()["total"] == 5
    assert _list(client, headers, "channel=miniprogram&urgency=urgent").get_json()["total"] == 5
    assert _list(client, headers, "channel=web").get_json()["total"] == 0
    assert _list(client, headers, "status=received").get_json()["total"] == MANY
    by_text = _list(client, headers, "q=停车场").get_json()
    assert [a["number"] for a in by_text["items"]] == [appeals[7]]
    assert _list(client, headers, "q=远航物流").get_json()["total"] == 1
    assert _list(client, headers, f"q={appeals[3].lower()}").get_json()["items"][0]["number"] == appeals[3]
    assert _list(client, headers, "q=91620300MA71K2Q8LL").get_json()["total"] == MANY - 1
    # The complainant's name is encrypted: it is not searchable.
    assert _list(client, headers, "q=张先生").get_json()["total"] == 0
    today = utcnow().astimezone(CHINA_TZ).date()
    assert _list(client, headers, f"received_from={today}&received_to={today}").get_json()["total"] == MANY
    tomorrow = today + timedelta(days=1)
    assert _list(client, headers, f"received_from={tomorrow}").get_json()["total"] == 0
    # Not yet dispatched: no running clock, so no colour.
    assert _list(client, headers, "colour=green").get_json()["total"] == 0


@pytest.mark.parametrize("query, field", [("page=0", "page"), ("page_size=101", "page_size"),
                                          ("channel=fax", "channel"), ("colour=blue", "colour"),
                                          ("received_from=2026-02-30", "received_from"),
                                          ("received_from=2026-05-02&received_to=2026-05-01", "received_to")])
def test_api_refuses_bad_list_arguments_by_name(client, people, query, field):
    response = client.get(f"/api/v1/appeals?{query}", headers=people["supervisor"])
    assert response.status_code == 400 and field in response.get_json()["errors"]


def test_supervision_api_list_is_paginated_and_searchable(client, people, appeals):
    response = client.get("/api/v1/supervision/appeals?colour=pending&q=停车场", headers=people["supervisor"])
    assert response.status_code == 200 and response.get_json()["total"] == 0
    assert "X-Pagination" in response.headers


def test_operator_search_page_shows_the_true_total_and_pages(browser, staff, appeals):
    staff("operator")
    page = browser.post_form("/operator/search", "/operator/search", {"q": "金昌"}).get_data(as_text=True)
    assert f"共 {MANY} 件" in page and "第 1/2 页" in page and "办理时限" in page
    second = browser.post_form("/operator/search", "/operator/search", {"q": "金昌", "page": "2"})
    assert f"共 {MANY} 件，第 2/2 页" in second.get_data(as_text=True)
    one = browser.post_form("/operator/search", "/operator/search", {"q": "停车场"}).get_data(as_text=True)
    assert "共 1 件" in one and appeals[7] in one


def test_dispatch_queue_page_is_paged_and_searchable(browser, staff, appeals):
    for number in appeals:
        to_manual(number)
    staff("dispatcher")
    page = browser.get("/dispatch").get_data(as_text=True)
    assert f"{MANY} 件待派" in page and f"共 {MANY} 件，第 1/2 页" in page
    assert page.count('id="row-') == 20
    found = browser.get("/dispatch?q=停车场").get_data(as_text=True)
    assert found.count('id="row-') == 1 and appeals[7] in found
    urgent = browser.get("/dispatch?urgency=urgent").get_data(as_text=True)
    assert "共 5 件" in urgent


def test_unit_queue_page_is_paged_with_the_true_total(browser, staff, world, appeals):
    unit = world.units["市工信局"]
    for appeal in db.session.query(Appeal).filter(Appeal.number.in_(appeals)):
        appeal.lead_unit_id, appeal.status = unit.id, "dispatched"
    db.session.commit()
    staff("handler", unit="市工信局")
    page = browser.get("/unit").get_data(as_text=True)
    assert f"共 {MANY} 件，第 1/2 页" in page and "下一页" in page
    assert f"共 {MANY} 件在办" in page
    assert "共 1 件" in browser.get("/unit?q=停车场").get_data(as_text=True)


def test_unit_queue_marks_supervised_and_reopened_appeals(browser, staff, world, appeals):
    from supervision.orders import open_order
    from workflow.transitions import dispatch

    unit = world.units["市工信局"]
    found = db.session.query(Appeal).filter(Appeal.number.in_(appeals[:2])).order_by(Appeal.id).all()
    for appeal in found:
        dispatch(appeal, unit, [], None)
    open_order(found[0], "manual", "超期督办", None)
    found[1].clock.reopens = 1
    db.session.commit()
    staff("handler", unit="市工信局")
    page = browser.get("/unit").get_data(as_text=True)
    row = {number: page.split(f"{number}</a>")[1].split("</td>")[0] for number in appeals[:2]}
    assert "督办" in row[appeals[0]] and "重办" not in row[appeals[0]]
    assert "重办" in row[appeals[1]] and "督办" not in row[appeals[1]]


def test_supervisor_searches_every_appeal_of_the_city(browser, staff, appeals):
    staff("supervisor")
    page = browser.get("/supervision?tab=all").get_data(as_text=True)
    assert f"共 {MANY} 件，第 1/2 页" in page
    found = browser.get("/supervision?tab=all&q=停车场&urgency=normal").get_data(as_text=True)
    assert "共 1 件" in found and appeals[7] in found
    assert "共 5 件" in browser.get("/supervision?tab=all&channel=miniprogram").get_data(as_text=True)
    bad = browser.get("/supervision?tab=all&received_from=2026-13-01").get_data(as_text=True)
    assert f"共 {MANY} 件" in bad and 'id="received_from-error"' in bad
