import copy
import json

import pytest

from sla.rules import DEFAULT_RULES, Limit, RuleError, rule_limit, rules_from_dict, rules_to_dict

H, M, WD = "hours", "minutes", "working_days"


@pytest.mark.parametrize("urgency, dispatch, accept, first_response, completion, once, cap, supervision", [
    ("emergency", (1, H), (30, M), (2, H), (24, H), None, None, True),
    ("urgent", (2, H), (1, H), (2, H), (24, H), (24, H), None, False),
    ("normal", (24, H), (1, WD), (1, WD), (5, WD), (5, WD), (15, WD), False),
    ("consult", (24, H), (1, WD), None, (2, WD), (1, WD), None, False),
    ("complex", (24, H), (1, WD), (1, WD), (15, WD), None, (30, WD), False),
])
def test_default_rules_match_the_published_table(
        urgency, dispatch, accept, first_response, completion, once, cap, supervision):
    def limit(pair):
        return None if pair is None else Limit(*pair)

    rule = DEFAULT_RULES[urgency]
    assert rule.urgency == urgency
    assert (rule.dispatch, rule.accept, rule.first_response, rule.completion) == tuple(
        map(limit, (dispatch, accept, first_response, completion)))
    assert (rule.extension_once, rule.extension_cap_total) == (limit(once), limit(cap))
    assert rule.extension_needs_supervision is supervision


def test_round_trip_through_json():
    data = json.loads(json.dumps(rules_to_dict(DEFAULT_RULES)))
    assert data["normal"]["completion"] == {"amount": 5, "unit": "working_days"}
    assert data["consult"]["first_response"] is None
    assert rules_from_dict(data) == dict(DEFAULT_RULES)


def test_edited_rules_load():
    data = rules_to_dict(DEFAULT_RULES)
    data["normal"]["completion"] = {"amount": 3, "unit": "working_days"}
    assert rules_from_dict(data)["normal"].completion == Limit(3, "working_days")


def _broken(edit):
    data = copy.deepcopy(rules_to_dict(DEFAULT_RULES))
    edit(data)
    return data


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.pop("consult"), "缺少紧急程度：咨询"),
    (lambda d: d.update(later={}), "未知的紧急程度"),
    (lambda d: d["normal"]["completion"].update(unit="days"), "一般.completion：时限单位"),
    (lambda d: d["normal"]["completion"].update(amount=0), "时限数值须为正整数"),
    (lambda d: d["normal"]["completion"].update(amount=1.5), "时限数值须为正整数"),
    (lambda d: d["normal"]["completion"].update(amount=True), "时限数值须为正整数"),
    (lambda d: d["normal"].update(completion=None), "一般.completion：须为"),
    (lambda d: d["normal"].pop("accept"), "一般：须恰好包含字段"),
    (lambda d: d["normal"].update(extension_once={"amount": 24, "unit": "hours"}), "同一种计时方式"),
    (lambda d: d["urgent"].update(extension_cap_total={"amount": 2, "unit": "working_days"}), "加急"),
    (lambda d: d["emergency"].update(extension_needs_supervision="yes"), "须为 true 或 false"),
])
def test_invalid_rules_are_refused_in_chinese(edit, message):
    with pytest.raises(RuleError, match=message):
        rules_from_dict(_broken(edit))


def test_rules_must_be_an_object():
    with pytest.raises(RuleError):
        rules_from_dict([])


def test_rule_limit_by_name():
    assert rule_limit(DEFAULT_RULES["normal"], "completion") == Limit(5, "working_days")
    with pytest.raises(RuleError, match="咨询诉求没有 first_response 时限"):
        rule_limit(DEFAULT_RULES["consult"], "first_response")
    with pytest.raises(RuleError, match="未知的时限"):
        rule_limit(DEFAULT_RULES["normal"], "reply")


def test_limit_reads_in_chinese():
    assert str(Limit(5, "working_days")) == "5个工作日"
    assert str(Limit(30, "minutes")) == "30分钟"
