import pytest

from routing.safety import assess
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


@pytest.mark.parametrize("text, expected", [
    ("冷库停电一整夜了，库里的肉已经开始变质", "emergency"),
    ("贷款这周五到期，银行说要断贷，厂里三百多个工人", "emergency"),
    ("下周就开标了，招标文件要求本地资质，我们投不了标", "urgent"),
    ("有人冒充记者，说不给钱就发负面报道，这是敲诈吧？", "urgent"),
    ("区政府签的投资协议，换了领导就说不认了", "urgent"),
    ("给区里一个单位供的货，合同50万，只付了10万", "urgent"),
])
def test_pressing_matters(text, expected):
    assert classify_urgency(text) == expected


def test_a_large_sum_alone_is_not_urgent():
    assert classify_urgency("去年研发投入800万，研发补助材料交了，想问一下补助什么时候能下来？") == "consult"
    assert classify_urgency("去年投了2000万技改，补助审核通过了，公示完一直没到账") == "normal"


def test_a_question_with_one_aside_is_still_a_consultation():
    assert classify_urgency("原来的代理机构联系不上了，请问在哪里可以办理变更登记？有没有线上渠道？") == "consult"


def test_a_request_for_action_is_not_a_consultation():
    assert classify_urgency("能不能帮我们查一下这笔补贴办到哪一步了？") == "normal"


@pytest.mark.parametrize("text", ["客户要求降价，我们不同意，想了解一下有没有价格指导？",
                                  "只给一个月时间整改，整改方案需要准备哪些材料？"])
def test_patterns_need_their_whole_construction(text):
    assert classify_urgency(text) == "consult"


def test_a_suggestion_is_not_a_consultation():
    assert classify_urgency("能不能在园区多开几趟公交车，员工上下班太不方便了") == "normal"
    assert classify_urgency("建议政务大厅中午延时服务") == "normal"


def test_accounts_frozen_with_wages_due_tomorrow_is_an_emergency():
    assert classify_urgency("银行把我们的基本户冻结了，明天就要发工资，两百多个工人") == "emergency"
    assert classify_urgency("外地法院一纸裁定，我们公司账户都给冻上了，货款进不来也付不出去") == "emergency"
    assert classify_urgency("有一个一般户被冻结了，请问怎么解冻") != "emergency"


@pytest.mark.parametrize("text, expected", [
    ("仓库里堆满了纸箱，万一着火了怎么办，请消防来检查一下", "normal"),
    ("车间着火了，万一烧到仓库就完了", "emergency"),
    ("储罐正在泄漏，担心爆炸", "emergency"),
    ("员工培训时间和排班冲突了，能不能调一下", "normal"),
    ("离职员工把客户资料带走了", "normal"),
    ("两个班组为了抢活打起来了，有人拿着铁锹", "emergency"),
    ("店里的天然气管子被挖掘机挖断了", "emergency"),
    ("电炉突然跳闸，一停炉就全报废了，马上来人", "emergency"),
    ("去年燃气管道改造的费用怎么分摊", "normal"),
    ("厂后面山体滑坡了，土石冲进了车间", "emergency"),
    ("门口主干道自来水爆管，水一直往我们仓库里灌", "emergency"),
    ("雨季快到了，担心后山山体滑坡", "normal"),
])
def test_a_danger_only_supposed_is_not_an_emergency(text, expected):
    assert (classify_urgency(text) == "emergency") == (expected == "emergency")


def test_a_disease_passing_from_animals_to_people_is_a_danger_to_life():
    text = "羊圈里死了几只羊，怀疑是炭疽，放羊的人手上也起了疮"
    assert classify_urgency(text) == "emergency"
    danger = assess(text, "emergency")
    assert danger.life_danger and "120" in danger.handover and "nyj" in danger.allowed_kinds


def test_a_person_who_cannot_be_woken_is_an_emergency_with_an_ambulance():
    text = "宿舍里一个工人喝了农药，现在不省人事"
    assert classify_urgency(text) == "emergency"
    danger = assess(text, "emergency")
    assert danger.life_danger and "120" in danger.handover


@pytest.mark.parametrize("text, expected", [
    ("养殖场的鸭子这两天成批地死，怀疑是禽流感，请派人来看", "emergency"),
    ("牛棚里一夜之间大量死亡了十几头牛", "emergency"),
    ("我们想了解非洲猪瘟检测的收费标准", "consult"),
    ("病死猪无害化处理的补贴什么时候发？", "consult"),
    ("虾塘里昨晚死了三千多斤，不知道什么原因", "emergency"),
    ("鸡舍里死了两只鸡，是不是天太冷了", "normal"),
])
def test_an_outbreak_among_animals_is_an_emergency_and_a_question_about_one_is_not(text, expected):
    assert classify_urgency(text) == expected
