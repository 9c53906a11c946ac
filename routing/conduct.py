"""The complaint-about-a-unit rule: an appeal about a unit's own conduct is not routed to that unit."""
from __future__ import annotations

import re

from routing.catalogue import kinds_of, load_catalogue
from routing.lexicon import short_names

CONDUCT_WORDS = (
    "刁难", "为难", "吃拿卡要", "不作为", "乱作为", "慢作为", "索贿", "索要", "好处费", "红包", "送礼",
    "推诿", "踢皮球", "打击报复", "态度恶劣", "态度蛮横", "门难进", "脸难看", "事难办", "故意拖", "故意卡",
    "卡着不办", "不给办", "滥用职权", "滥用权力", "滥用行政权力", "徇私", "违规执法", "暴力执法", "选择性执法", "威胁我们", "报复",
)
# How enterprises name a department besides its official name, by department kind.
COLLOQUIAL = {
    "gaj": ("公安局", "公安机关", "派出所", "警察", "民警", "警官", "刑警", "经侦"),
    "hg": ("海关",),
    "fy": ("法院", "法官", "执行局"),
    "jcy": ("检察院", "检察官"),
    "scj": ("工商局", "工商所", "市场监管所", "质监局"),
    "swu": ("税务所", "税务分局", "专管员", "税管员", "税务干部"),
    "zjj": ("建设局", "住建部门", "质监站", "安监站"),
    "sthj": ("环保局", "环保部门", "环保执法"),
    "zrj": ("国土局", "国土所", "规划局"),
    "cgj": ("城管队", "城管执法"),
    "rsj": ("社保局", "劳动局", "劳动监察", "就业局"),
    "yjj": ("安监局", "安监部门"),
    "jtj": ("路政", "运管", "交通执法"),
    "spj": ("审批局", "政务大厅", "窗口"),
}
_CLAUSE_RE = re.compile(r"[。！？；!?;\n]")


def mention_forms(unit: str, broad: bool = False) -> set[str]:
    """How a text names the unit: its name and short names, colloquial names of its kind and, if
    `broad`, the kind's name stems (税务, 城管) which also occur in other words."""
    forms = {f for f in short_names(unit) if len(f) >= 2}
    kinds = kinds_of(unit)
    for kind in kinds:
        forms |= set(COLLOQUIAL.get(kind, ()))
    if broad:
        for dept in load_catalogue():
            if dept.kind in kinds:
                forms |= {alt for alt in dept.pattern.pattern.split("|") if len(alt) >= 2 and alt.isalnum()}
    return forms


def accused_units(text: str, forms: dict[str, set[str]]) -> set[str]:
    """Units named in the same sentence as a word about misconduct."""
    accused = set()
    for clause in _CLAUSE_RE.split(text):
        if any(w in clause for w in CONDUCT_WORDS):
            accused |= {u for u, fs in forms.items() if any(f in clause for f in fs)}
    return accused
