"""Admin pages for the SLA rules and the city's calendar overrides (CSRF forms, the API's checks)."""
import pytest
from sqlalchemy import select

from accounts.passwords import set_password
from kernel.db import db
from models import CalendarDay, SlaRuleSet
from sla.service import current_rule_set
from tests.factories import World
from tests.web.conftest import PASSWORD

RULES = "/admin/sla/rules"
CALENDAR = "/admin/sla/calendar"


def rules_form(rules: dict) -> dict:
    """The rules as the page's form sends them."""
    form = {}
    for code, rule in rules.items():
        for field, value in rule.items():
            if field == "extension_needs_supervision":
                if value:
                    form[f"{code}.{field}"] = "on"
            else:
                form[f"{code}.{field}.amount"] = str(value["amount"]) if value else ""
                form[f"{code}.{field}.unit"] = value["unit"] if value else "working_days"
    return form


@pytest.fixture
def admin(staff):
    return staff("admin")


def test_rules_are_shown_and_saved_as_a_new_version(admin, browser):
    before = current_rule_set(admin.city_id)
    db.session.commit()
    page = browser.get(RULES).get_data(as_text=True)
    assert f"现行第 {before.version} 版" in page and 'name="normal.completion.amount" value="5"' in page

    form = rules_form(before.rules)
    form["normal.completion.amount"] = "6"
    form["consult.extension_once.amount"] = ""  # optional: none
    response = browser.post_form(RULES, RULES, form, follow_redirects=True)
    assert f"已保存为第 {before.version + 1} 版" in response.get_data(as_text=True)
    saved = current_rule_set(admin.city_id)
    assert saved.rules["normal"]["completion"] == {"amount": 6, "unit": "working_days"}
    assert saved.rules["consult"]["extension_once"] is None
    assert saved.rules["emergency"]["extension_needs_supervision"] is True


def test_bad_rules_are_refused_with_the_rules_message_and_nothing_saved(admin, browser):
    rules = current_rule_set(admin.city_id).rules
    db.session.commit()
    count = db.session.query(SlaRuleSet).count()
    for change, message in ((("normal.completion.amount", "abc"), "时限数值须为正整数"),
                            (("normal.accept.amount", ""), "一般.accept")):
        form = rules_form(rules)
        form[change[0]] = change[1]
        response = browser.post_form(RULES, RULES, form)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.query(SlaRuleSet).count() == count
    assert browser.post(RULES, data=rules_form(rules)).status_code == 400  # no CSRF token


def test_calendar_overrides_of_the_own_city_only_and_the_national_notice_by_cli(admin, browser, world):
    page = browser.get(CALENDAR).get_data(as_text=True)
    assert "scripts/manage sla calendar load" in page and 'id="calendar-years"' in page
    response = browser.post_form(CALENDAR, CALENDAR, {"day": "2026-12-31", "working": "no", "note": "本市调休"},
                                 follow_redirects=True)
    assert "2026-12-31 已设为本市休息日" in response.get_data(as_text=True)
    row = db.session.scalar(select(CalendarDay).where(CalendarDay.day.isnot(None), CalendarDay.note == "本市调休"))
    assert (row.city_id, row.working) == (admin.city_id, False)
    row_id = row.id
    assert browser.post_form(CALENDAR, CALENDAR, {"day": "31/12/2026", "working": "no"}).status_code == 400

    # Another city's admin sees none of it and cannot delete it.
    elsewhere = World(name="嘉峪关", code="JYG")
    other, _ = elsewhere.user("admin")
    set_password(other, PASSWORD)
    db.session.commit()
    browser.post_form("/login", "/logout", {})
    assert browser.sign_in(other).status_code == 302
    assert "本市调休" not in browser.get(CALENDAR).get_data(as_text=True)
    response = browser.post_form(CALENDAR, f"{CALENDAR}/2026-12-31/delete", {}, follow_redirects=True)
    assert "本市日历没有 2026-12-31 的调整" in response.get_data(as_text=True)
    assert db.session.get(CalendarDay, row_id) is not None

    browser.post_form("/login", "/logout", {})
    browser.sign_in(admin)
    browser.post_form(CALENDAR, f"{CALENDAR}/2026-12-31/delete", {})
    assert db.session.get(CalendarDay, row_id) is None
