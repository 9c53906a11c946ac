"""Enterprise pages: submit without signing in, track by number and phone digits, rate at follow-up."""
from sqlalchemy import select

from kernel.db import db
from models import Appeal, FollowUp
from tests.web.conftest import CALL, Browser
from web.mobile import MAX_WRONG, UNAVAILABLE

FORM = {k: v for k, v in CALL.items() if k not in ("channel", "urgency")}


def _form_key(browser) -> str:
    page = browser.get("/m/submit").get_data(as_text=True)
    return page.split('name="form_key" value="')[1].split('"')[0]


def _submit(browser, **changes):
    return browser.post_form("/m/submit", "/m/submit", {**FORM, "city": "金昌", "form_key": _form_key(browser), **changes})


def test_enterprise_submits_and_gets_its_number(world, browser):
    response = _submit(browser)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "提交成功" in page
    appeal = db.session.scalar(select(Appeal))
    assert appeal.number in page and appeal.channel == "miniprogram" and appeal.created_by_id is None


def test_submit_shows_the_api_messages(world, browser):
    response = _submit(browser, **{"complainant.phone": "123", "enterprise.name": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "联系电话格式不正确" in page and "请填写企业名称" in page
    assert db.session.scalar(select(Appeal)) is None


def test_a_double_submitted_form_is_stored_once(world, browser):
    key = _form_key(browser)
    first, again = (_submit(browser, form_key=key) for _ in range(2))
    number = db.session.scalar(select(Appeal.number))
    assert number in first.get_data(as_text=True) and number in again.get_data(as_text=True)
    assert len(db.session.scalars(select(Appeal)).all()) == 1


def test_issue21_20_a_used_external_id_does_not_reveal_its_appeal_number(world, browser, app):
    _submit(browser)
    victim = db.session.scalar(select(Appeal))
    other = Browser(app, app.test_client())
    for forged in ({"external_id": victim.external_id}, {"form_key": victim.external_id},
                   {"external_id": victim.external_id, "form_key": "m-" + "0" * 32}):
        answer = other.post_form("/m/submit", "/m/submit", {**FORM, "city": "金昌", **forged})
        assert victim.number not in answer.get_data(as_text=True)
    # A form key is issued by the server: an id of the client's choosing is never used.
    answer = _submit(other, external_id=victim.external_id)
    assert answer.status_code == 200 and victim.number not in answer.get_data(as_text=True)
    assert db.session.scalar(select(Appeal.external_id).where(Appeal.id != victim.id)) != victim.external_id


def test_a_forged_form_key_is_refused_with_the_form_kept(world, browser):
    response = _submit(browser, form_key="forged")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "页面已过期" in page and "金昌某某材料有限公司" in page
    assert db.session.scalar(select(Appeal)) is None


def test_track_needs_the_right_last_four_digits(world, browser):
    _submit(browser)
    number = db.session.scalar(select(Appeal.number))
    wrong = browser.post_form("/m/track", "/m/track", {"number": number, "last4": "0000"})
    assert wrong.status_code == 400 and "不正确" in wrong.get_data(as_text=True)
    right = browser.post_form("/m/track", "/m/track", {"number": number.lower(), "last4": "1234"})
    page = right.get_data(as_text=True)
    assert right.status_code == 200 and number in page and "已受理" in page
    assert "张先生" not in page and "13812341234" not in page


def _track(browser, number, last4, address="10.3.0.1"):
    return browser.post_form("/m/track", "/m/track", {"number": number, "last4": last4},
                             environ_base={"REMOTE_ADDR": address})


def test_tracking_guesses_are_limited_per_address_across_numbers(world, browser):
    """Issue 21, finding 12: wrong guesses were counted per appeal number only, so one address
    could try every number in turn."""
    _submit(browser)
    number = db.session.scalar(select(Appeal.number))
    for n in range(MAX_WRONG):
        assert _track(browser, f"JC20261122-{n:06d}", "0000").status_code == 400
    refused = _track(browser, number, "1234")
    assert refused.status_code == 400 and "错误次数过多" in refused.get_data(as_text=True)
    assert _track(browser, number, "1234", address="10.3.0.2").status_code == 200


def test_guessing_does_not_lock_the_enterprise_out(world, browser):
    """Issue 21, finding 12: five wrong digits from anyone locked the appeal's own enterprise out."""
    _submit(browser)
    number = db.session.scalar(select(Appeal.number))
    for n in range(MAX_WRONG + 2):
        _track(browser, number, f"{n:04d}", address=f"10.4.0.{n}")
    assert _track(browser, number, "1234", address="10.4.1.1").status_code == 200


def test_tracking_fails_closed_without_redis(world, browser):
    """Issue 21, finding 12: with Redis down the guess limit was skipped and tracking went on."""
    from app import create_app
    from tests.web.conftest import Browser

    _submit(browser)
    number = db.session.scalar(select(Appeal.number))
    cut_off = create_app({"TESTING": True, "REDIS_URL": "redis://127.0.0.1:1/0"})
    refused = _track(Browser(cut_off, cut_off.test_client()), number, "1234")
    assert refused.status_code == 503 and UNAVAILABLE in refused.get_data(as_text=True)
    assert "张先生" not in refused.get_data(as_text=True)


def _closed_appeal(world, browser):
    from workflow.transitions import dispatch, perform, to_manual

    _submit(browser)
    appeal = db.session.scalar(select(Appeal))
    handler, _ = world.user("handler", "市工信局")
    to_manual(appeal, "待人工分拨")
    dispatch(appeal, world.units["市工信局"], [], None)
    for action, reason in (("accept", None), ("reply", "已协调解决"), ("close", None)):
        perform(appeal, action, handler, reason=reason)
    db.session.commit()
    return appeal


def test_enterprise_rates_a_closed_appeal_once(world, browser):
    appeal = _closed_appeal(world, browser)
    page = browser.post_form("/m/track", "/m/track", {"number": appeal.number, "last4": "1234"})
    assert "回访评价" in page.get_data(as_text=True)
    missing = browser.post_form("/m/track", "/m/rate", {"number": appeal.number, "last4": "1234"})
    assert missing.status_code == 400 and "请选择满意程度" in missing.get_data(as_text=True)
    done = browser.post_form("/m/track", "/m/rate", {"number": appeal.number, "last4": "1234", "solved": "yes",
                                                     "rating": "satisfied", "note": "很及时"})
    assert done.status_code == 200 and "感谢您的评价" in done.get_data(as_text=True)
    assert "回访评价" not in done.get_data(as_text=True)
    follow_up = db.session.scalar(select(FollowUp))
    assert (follow_up.solved, follow_up.rating, follow_up.channel) == (True, "satisfied", "miniprogram")


def test_rating_needs_the_phone_digits_too(world, browser):
    appeal = _closed_appeal(world, browser)
    response = browser.post_form("/m/track", "/m/rate", {"number": appeal.number, "last4": "9999", "solved": "no",
                                                         "rating": "dissatisfied"})
    assert response.status_code == 400
    assert db.session.scalar(select(FollowUp)) is None


def test_too_many_requests_get_a_page_with_retry_after(app, world, browser):
    saved = app.config["PUBLIC_RATE_LIMIT"]
    app.config["PUBLIC_RATE_LIMIT"] = "2/minute"
    try:
        codes = [browser.get("/m/").status_code for _ in range(3)]
        refused = browser.get("/m/track")
    finally:
        app.config["PUBLIC_RATE_LIMIT"] = saved
    assert codes == [200, 200, 429]
    assert refused.status_code == 429 and "操作过于频繁" in refused.get_data(as_text=True)
    assert 0 < int(refused.headers["Retry-After"]) <= 60


def _tracked(browser, appeal) -> str:
    return browser.post_form("/m/track", "/m/track", {"number": appeal.number, "last4": "1234"}).get_data(as_text=True)


def test_tracking_shows_the_deadline_the_rating_and_a_reopen(world, browser):
    from workflow.transitions import dispatch

    appeal = _closed_appeal(world, browser)
    page = _tracked(browser, appeal)
    assert 'id="deadline"' in page and "未派单" not in page.split('id="deadline"')[1].split("</dd>")[0]
    assert 'id="reply"' in page and "已协调解决" in page
    browser.post_form("/m/track", "/m/rate", {"number": appeal.number, "last4": "1234", "solved": "no",
                                              "rating": "dissatisfied"})
    reopened = _tracked(browser, appeal)
    assert "重办 · 已派单" in reopened and "不满意，问题未解决" in reopened
    assert 'id="reply"' not in reopened  # the old reply is not the answer of the reopened appeal
    db.session.refresh(appeal)
    dispatch(appeal, world.units["市人社局"], [world.units["市工信局"], world.units["市市场监管局"]], None)
    db.session.commit()
    assert "市人社局（协办：市工信局、市市场监管局）" in _tracked(browser, appeal)
