"""Urgency class proposed from the text: emergency, urgent, normal, consult (the operator may override).

Safety first, then pressure, then the question:
- emergency: danger to life or property happening now, a mass incident, all accounts frozen — or a
  stoppage / unpayable wages that is imminent (today, tomorrow, any moment);
- urgent: production or business stopped or blocked, wages unpaid, a deadline within days, the
  business in danger (cash run dry, orders and customers being lost), a crime or threat against the
  enterprise, or the appeal says it is pressing;
- consult: a question about a policy or a procedure with neither a grievance nor a request for action;
- normal: everything else — a grievance or a request without special urgency. A grievance over a
  large sum is not urgent by itself: the sum says nothing about the time pressure.
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
from scipy import sparse
from sklearn.svm import LinearSVC

from kernel.vocabulary import Urgency
from routing.catalogue import read_tsv, split_phrases
from routing.normalize import normalize

# The classes the router proposes; 疑难复杂 (complex) is a dispatcher's judgement, never proposed.
URGENCIES = tuple(u.value for u in Urgency if u is not Urgency.complex)
# A matter that has dragged on ("拖了三个月了", "半年多了", "十几天了还没") is a grievance, not a question.
_DRAGGED_ON = re.compile(r"(\d+|[一二两三四五六七八九十半几]+)(个)?多?(天|周|星期|个月|月|年)多?(了|还|都|也)")
# Rhetorical questions are complaints: "不是说…吗", "不是应该…吗", "合理吗", "谁来管", "到底还要…".
_RHETORICAL = re.compile(r"不是[^，。！？]{0,20}吗|(合理|合规|合法|公平)吗|谁来(管|监督|负责)|谁管|"
                         r"到底(什么时候|还要|卡在|有没有|怎么回事|谁)|这叫什么")


# Constructions that carry the same meaning in many wordings, next to the cue lists of urgency.tsv.
_PATTERNS = {
    "stop": re.compile(r"(就得|就要|只能|被迫|面临)停|(投|中)不了标|无法投标|(开|营)不了(业|门)|"
                       r"(不给|不予|拒绝)(贷款|放贷|续贷|贷)"),
    # "再不来电就…", "再不付款就…": a loss that happens unless something is done now
    "soon": re.compile(r"再不[^，。！？]{1,6}就"),
    "many": re.compile(r"(\d{3,}|[一二两三四五六七八九几上数]百|几十|\d{2}多)(多|来|余)?(个|名|号)?(人|工人|员工|职工|农民工)"),
    "deadline": re.compile(r"(这|本|下)(个)?(周|星期)[一二三四五六日末]?|(明|后|今)天(就|要|必须|前)|"
                           r"(贷款|借款|授信)[^。！？]{0,12}到期"),  # a loan falling due
    "distress": re.compile(r"资金(链|周转)[^，。！？]{0,4}(紧|难|困难|断|不开|不过来)|"
                           r"(订单|客户|客流|销量|营业额|销售额|生意)[^，。！？]{0,6}"
                           r"(没了|丢了|跑了|掉了|少了|下滑|减半|下降|暴跌|锐减|掉了?[一二两三四五六七八九\d半])|"
                           r"(丢了|流失|失去|撬走)[^，。！？]{0,6}(客户|订单)"),
    "arrears": re.compile(r"(只|才|仅)(付|给|拨|支付|结)(了|过)?[^，。！？]{0,3}"
                          r"(\d+(\.\d+)?(万|%|成|元|块)|一半|[一二两三四五六七八九]成)|"
                          r"还(差|欠)[^，。！？]{0,8}(万|钱|款)"),
    # an outbreak among farm animals (重大动物疫情 is an emergency under the national plan): a named
    # epidemic suspected, or animals dying in numbers now
    "emergency": re.compile(r"(疑似|像是?|是不是|怀疑)[^，。！？]{0,6}"
                            r"(猪瘟|禽流感|口蹄疫|鸡瘟|鱼瘟|疫病|传染病|炭疽|布病|布鲁氏菌|狂犬病|结节性皮肤病)|"
                            r"(猪|鸡|鸭|鹅|牛|羊|鱼|虾|禽|畜)[^，。！？]{0,8}(大批|大量|成批|成片|一下子)[^，。！？]{0,4}死|"
                            r"(大批|大量|成批)[^，。！？]{0,3}(猪|鸡|鸭|鹅|牛|羊|鱼|禽|畜)[^，。！？]{0,3}死|"
                            r"死了(很多|一大批|上百|几百|上千|几千)[头只条斤]?(猪|鸡|鸭|鹅|牛|羊|鱼)|"
                            r"死了(\d{3,}|[\d一二两三四五六七八九几]+[百千万])多?[头只条羽斤尾]|"
                            # every account frozen: the business cannot pay anyone
                            r"账户[^，。！？]{0,3}(全|都)[^，。！？]{0,2}冻|"
                            # a gas main broken; a kiln or line ruined the moment its supply stops
                            r"(燃气|天然气|煤气)(管道|管线|管子|管)[^，。！？]{0,6}(打穿|挖断|挖破|破了|断了|裂了)|"
                            r"(停|断)[^，。！？]{0,4}就[^，。！？]{0,3}(废|报废|毁|凝固|全坏)"),
    "broken": re.compile(r"(承诺|协议|合同|约定|说好)[^。！？]{0,30}(不认|没人认|不算数|不兑现|反悔|不执行)|"
                         r"(换了|新来的)[^，。！？]{0,4}(领导|书记|县长|区长|市长|负责人)"),
}


@lru_cache(maxsize=1)
def _cues() -> dict[str, tuple[str, ...]]:
    return {cue: split_phrases(phrases) for cue, phrases in read_tsv("urgency.tsv")}


# A danger only supposed or feared ("万一着火了", "怕出事故", "以免发生火灾") is not a danger now.
_SUPPOSED = re.compile(r"(万一|如果|要是|假如|一旦|以免|避免|防止|预防|怕|担心)[^，。！？]{0,4}$")


def _present(phrase: str, text: str) -> bool:
    """The emergency phrase occurs at least once not as a supposition."""
    start = text.find(phrase)
    while start >= 0:
        if not _SUPPOSED.search(text[max(0, start - 6):start]):
            return True
        start = text.find(phrase, start + 1)
    return False


def cues_in(text: str) -> dict[str, list[str]]:
    found = {cue: [p for p in phrases if p in text] for cue, phrases in _cues().items()}
    found["emergency"] = [p for p in found["emergency"] if _present(p, text)]
    for cue, pattern in _PATTERNS.items():
        found[cue] += [m.group(0) for m in pattern.finditer(text)]
    return found


def classify_urgency(text: str) -> str:
    text = normalize(text)
    found = cues_in(text)
    imminent_stop = found["soon"] and (found["stop"] or found["wages"])
    mass_stop = found["many"] and found["stop"] and found["deadline"]
    if found["emergency"] or imminent_stop or mass_stop:
        return "emergency"
    if any(found[c] for c in ("stop", "wages", "deadline", "distress", "arrears", "broken", "threat", "urgent")):
        return "urgent"
    # A question is a consultation when it clearly outweighs the complaint: "请问…怎么办理…要不要收费"
    # with one aside about a problem is still a question; a request for action never is.
    if found["request"]:
        return "normal"
    complaint = (2 * len(_outermost(found["grievance"])) + bool(_DRAGGED_ON.search(text))
                 + 2 * bool(_RHETORICAL.search(text)))
    question = len(_outermost(found["consult"])) + ("?" in text or "？" in text)
    return "consult" if question > complaint else "normal"


def _outermost(phrases: list[str]) -> list[str]:
    """Found phrases without those inside a longer one found (有没有补贴 counts once, not with 有没有)."""
    return [p for p in phrases if not any(p != q and p in q for q in phrases)]


# The learned urgency: a linear SVM over the text's features and the rules' verdict (learned from the
# starter corpus and from urgencies dispatchers or imported work orders gave). The rules' emergency
# always stands; the model raises an appeal to emergency from EMERGENCY_MARGIN on (missing an emergency
# costs more than a false alarm).
RULE_WEIGHT = 1.0
EMERGENCY_MARGIN = -0.3



class UrgencyModel:
    def __init__(self, clf: LinearSVC, n_features: int):
        self.clf, self.n_features = clf, n_features

    @staticmethod
    def rule_columns(rule: str) -> list[float]:
        return [RULE_WEIGHT if rule == u else 0.0 for u in URGENCIES]

    def predict(self, text: str, x) -> str:
        """text: normalised; x: the text's features (1 × n_features, as the model was trained on)."""
        rule = classify_urgency(text)
        if rule == "emergency":
            return rule
        coef = self.clf.coef_
        scores = coef[:, x.indices] @ x.data + coef[:, self.n_features:] @ np.array(self.rule_columns(rule))
        scores += self.clf.intercept_
        classes = list(self.clf.classes_)
        if len(classes) == 2:  # a binary SVM scores the second class only
            return classes[int(scores[0] > 0)]
        if "emergency" in classes and scores[classes.index("emergency")] >= EMERGENCY_MARGIN:
            return "emergency"
        return classes[int(np.argmax(scores))]


def train_urgency(x, texts: list[str], labels: list[str], weights) -> UrgencyModel | None:
    """x: the texts' features; None without at least two urgency classes to learn from."""
    if len(set(labels)) < 2:
        return None
    rules = sparse.csr_matrix([UrgencyModel.rule_columns(classify_urgency(t)) for t in texts])
    clf = LinearSVC(C=0.5, random_state=0)
    clf.fit(sparse.hstack([x, rules]).tocsr(), labels, sample_weight=weights)
    return UrgencyModel(clf, x.shape[1])
