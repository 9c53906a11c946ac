import pytest

from routing.urgency import classify_urgency


@pytest.mark.parametrize("text, expected", [
    ("车间里化学品泄漏，有工人头晕，请马上派人", "emergency"),
    ("两百多个工人的工资下周就发不出来了，工人明天要来堵厂门", "emergency"),
    ("厂子被查封全面停产了，今天订单交不了", "emergency"),
    ("银行不给续贷了，资金链紧张", "urgent"),
    ("工程款拖欠两年了，一直不付", "urgent"),
    ("办事窗口服务态度不好，希望改进", "normal"),
    ("请问高新技术企业认定需要什么条件？", "consult"),
])
def test_urgency_classes(text, expected):
    assert classify_urgency(text) == expected


def test_a_question_with_a_grievance_is_not_a_consultation():
    assert classify_urgency("请问补贴迟迟没到账，该怎么办？") != "consult"
