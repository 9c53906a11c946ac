"""Follow-up calls by operators: the list, the phone shown only after a logged disclosure, the
answer recorded with the rating's rules (reopen), not reached kept in the list, counted in rates."""
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from kernel.db import db
from kernel.vocabulary import Status
from models import AppealEvent, FollowUp
from supervision.measures import measures
from tests.sla.helpers import dispatched, local
from workflow.transitions import perform

LIST = "/operator/follow-ups"


def closed(world, at):
    """An appeal dispatched at ``at`` and closed by its unit the next hour."""
    handler = world.user("handler", unit="市工信局")[0]
    appeal = dispatched(world, at)
    with freeze_time(at + timedelta(hours=1)):
        perform(appeal, "accept", handler)
        perform(appeal, "reply", handler, reason="已协调解决")
        perform(appeal, "close", handler)
    db.session.commit()
    return appeal


def _events(appeal, action):
    return db.session.scalars(select(AppealEvent).where(AppealEvent.appeal_id == appeal.id,
                                                        AppealEvent.action == action)).all()


@pytest.fixture
def appeals(world):
    later = closed(world, local(2026, 11, 24, 9))
    older = closed(world, local(2026, 11, 23, 9))
    still_open = dispatched(world, local(2026, 11, 20, 9))
    return older, later, still_open


def test_list_is_oldest_closing_first_and_the_phone_is_shown_after_a_logged_disclosure(staff, browser, appeals):
    older, later, still_open = appeals
    staff("operator")
    page = browser.get(LIST).get_data(as_text=True)
    assert "共 2 件" in page and still_open.number not in page
    assert page.index(older.number) < page.index(later.number)

    call = f"{LIST}/{older.number}"
    assert "13812341234" not in browser.get(call).get_data(as_text=True)
    assert _events(older, "disclose") == []
    response = browser.post_form(call, f"{call}/phone", {})
    assert response.status_code == 303 and response.headers["Location"].endswith(call)
    [disclosure] = _events(older, "disclose")
    assert disclosure.reason == "电话回访"
    assert "13812341234" in browser.get(call).get_data(as_text=True)
    assert "13812341234" not in browser.get(call).get_data(as_text=True)  # shown once


def test_not_reached_stays_listed_and_an_unsolved_answer_reopens(staff, browser, appeals, world):
    older, later, _ = appeals
    operator = staff("operator")
    call = f"{LIST}/{older.number}"
    response = browser.post_form(call, call, {"reached": "yes", "solved": "yes"})
    assert response.status_code == 400 and "请选择满意程度" in response.get_data(as_text=True)
    assert browser.post_form(call, call, {"reached": "", "note": ""}).status_code == 400

    response = browser.post_form(call, call, {"reached": "no", "note": "无人接听"}, follow_redirects=True)
    assert "已记录未接通，仍在待回访列表中" in response.get_data(as_text=True)
    [attempt] = _events(older, "follow_up_unreached")
    assert (attempt.reason, attempt.actor_id) == ("无人接听", operator.id)
    assert older.number in browser.get(LIST).get_data(as_text=True)

    response = browser.post_form(call, call, {"reached": "yes", "solved": "no", "rating": "dissatisfied"},
                                 follow_redirects=True)
    assert f"{older.number} 已记录回访" in response.get_data(as_text=True)
    assert older.status == Status.dispatched and older.clock.reopens == 1  # the rating's own rule
    [answer] = db.session.scalars(select(FollowUp).where(FollowUp.appeal_id == older.id)).all()
    assert (answer.channel, answer.solved, answer.rating, answer.actor_id) == ("phone", False, "dissatisfied",
                                                                             operator.id)
    page = browser.get(LIST).get_data(as_text=True)
    assert older.number not in page and later.number in page
    assert browser.get(call).status_code == 302  # no longer awaiting: back to the list


def test_a_follow_up_call_is_counted_in_the_satisfaction_rate(staff, browser, appeals, world):
    older, later, _ = appeals
    staff("operator")
    for appeal, rating in ((older, "satisfied"), (later, "fairly_satisfied")):
        call = f"{LIST}/{appeal.number}"
        answer = {"reached": "yes", "solved": "yes", "rating": rating}
        assert browser.post_form(call, call, answer, follow_redirects=True).status_code == 200
    city = measures(world.city.id, local(2026, 11, 1), local(2026, 12, 1), fairly_weight=0.5)["city"]
    assert (city["followed_up"], city["satisfaction_rate"]) == (2, 0.75)
    assert "暂无待回访诉求" in browser.get(LIST).get_data(as_text=True)


def test_api_lists_awaiting_follow_ups_and_records_an_unreached_call(client, world, appeals):
    older, later, _ = appeals
    headers = world.user("operator")[1]
    body = client.get("/api/v1/follow-ups?page_size=1", headers=headers).get_json()
    assert (body["total"], [i["number"] for i in body["items"]]) == (2, [older.number])
    assert body["items"][0]["complainant"]["masked"] is True
    url = f"/api/v1/appeals/{older.number}/follow-up"
    assert client.post(url, json={"reached": True, "solved": True}, headers=headers).status_code == 400
    assert client.post(url, json={"reached": False}, headers=headers).status_code == 200
    assert len(_events(older, "follow_up_unreached")) == 1
    assert client.get("/api/v1/follow-ups", headers=headers).get_json()["total"] == 2
    assert client.post(url, json={"solved": True, "rating": "satisfied"}, headers=headers).status_code == 200
    assert client.get("/api/v1/follow-ups", headers=headers).get_json()["total"] == 1
