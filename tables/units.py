"""Unit names: splitting a unit list, canonical names, aliases, kinds, routability.

Everything a careful reader knows about names is written here as explicit data.
Only city-level units (市…) of the routable kinds are routing targets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from tables.text import simplified, strip_markup, traditional, unify_brackets

KINDS = ("department", "court", "procuratorate", "party", "people_org",
         "stationed", "enterprise", "jurisdiction", "placeholder", "other")
ROUTABLE_KINDS = frozenset({"department", "court", "procuratorate", "party", "people_org"})

# (canonical long form, abbreviation): matched at the end of a name.
ABBREVIATIONS = (
    ("发展改革委", "发改委"),
    ("中级人民法院", "中级法院"),
    ("人民检察院", "检察院"),
    ("政府办公室", "政府办"),
    ("人力资源和社会保障局", "人社局"),
    ("工业和信息化局", "工信局"),
    ("住房和城乡建设局", "住建局"),
    ("市场监督管理局", "市场监管局"),
    ("卫生健康委", "卫健委"),
    ("应急管理局", "应急局"),
)
PREFIXES = (("中国人民银行", "人行"),)  # matched at the start of a name
WHOLE_NAMES = {  # whole-name variants → canonical
    "市纪委监委机关": "市纪委监委",
    "市市级国家机关各部门各单位": "市级国家机关各部门各单位",  # typo in 金昌 附件2 row 48
}
GENERIC = frozenset({"街道办事处", "乡镇政府", "乡镇人民政府", "县区", "县（市、区）"})
PEOPLE_ORGS = ("工商联", "总工会", "妇联", "团市委", "科协", "残联", "红十字会", "侨联", "文联")
STATIONED = ("海关", "人民银行", "金融监督管理总局", "银监", "证监", "保监", "国家")

_JURISDICTION = re.compile(r"[^市省各（]{1,8}(?:县|区|市|旗)")
_GOVT_SUFFIX = re.compile(r"(?:党委和人民政府|党委和政府|人民政府|政府)$")
_TAIL = re.compile(r"(?:[^市省各、，]{1,4}?市?)?(?:分行|支行|中心支行|分局|监管分局|管委会|督查考核办|督查室)")
_SEPARATORS = "、,，;；/ \n"
_REMARK = re.compile(r"（[^（）]*(?:以下|不再|均需)[^（）]*）")
_TRAILER = re.compile(r"(?:按职责分工|按职责|分工)?(?:负责落实|负责|配合|落实)$")
_EMPTY = frozenset({"", "—", "——", "无"})


@dataclass(frozen=True)
class UnitNote:
    """A unit list as written: names (normalised, not yet canonical) and marks."""

    leads: tuple[str, ...]
    others: tuple[str, ...]
    lead_marked: bool


def normalise(raw: str) -> str:
    name = unify_brackets(strip_markup(simplified(raw)))
    name = re.sub(r"\s+", "", name).strip("、，,;；。：:.")
    return name[:-1] if name.endswith("等") else name


def canonical_name(raw: str) -> str:
    name = normalise(raw)
    name = WHOLE_NAMES.get(name, name)
    bare = _GOVT_SUFFIX.sub("", name)
    if bare != name and _JURISDICTION.fullmatch(bare):
        return bare
    if name.endswith("管委会") and name[:-3].endswith("区"):
        return name[:-3]
    for long, short in ABBREVIATIONS:
        if name.endswith(short) and not name.endswith(long):
            return name[: -len(short)] + long
    for long, short in PREFIXES:
        if name.startswith(short) and not name.startswith(long):
            return long + name[len(short):]
    return name


def kind_of(name: str) -> str:
    if "各" in name or "有关" in name or "相关" in name or name in GENERIC or "（市、区）" in name:
        return "placeholder"
    if _JURISDICTION.fullmatch(name) or (name.endswith("管委会") and not name.startswith("市")):
        return "jurisdiction"
    if "公司" in name or "集团" in name or ("银行" in name and "人民银行" not in name):
        return "enterprise"
    if any(word in name for word in STATIONED) or (
        not name.startswith("市") and re.search("分局|分行|支行", name)
    ):
        return "stationed"
    if "法院" in name:
        return "court"
    if "检察院" in name:
        return "procuratorate"
    if any(word in name for word in PEOPLE_ORGS):
        return "people_org"
    if name.startswith("市委") or "纪委" in name:
        return "party"
    return "department" if name.startswith("市") else "other"


# Public utilities answer 12345 appeals in their field (停电, 停水, 通气), like departments do.
UTILITIES = ("供电", "电力", "供水", "水务", "燃气", "热力", "邮政")


def is_routable(name: str) -> bool:
    """City-level bodies, plus higher-level bodies stationed in the city (海关, 人民银行, 金融监管,
    an environment sub-bureau) and public utilities: all of them take appeals in their field."""
    kind = kind_of(name)
    if kind == "stationed":
        return True
    if kind == "enterprise":
        return any(word in name for word in UTILITIES)
    return kind in ROUTABLE_KINDS and (name.startswith("市") or name == "团市委")


def aliases_of(canonical: str) -> frozenset[str]:
    """Generated spellings of a canonical name (the name itself excluded)."""
    forms = {canonical}
    if kind_of(canonical) in ROUTABLE_KINDS | {"stationed"}:
        forms |= {k for k, v in WHOLE_NAMES.items() if v == canonical}
        for long, short in ABBREVIATIONS:
            if canonical.endswith(long):
                forms.add(canonical[: -len(long)] + short)
        for long, short in PREFIXES:
            if canonical.startswith(long):
                forms.add(short + canonical[len(long):])
        for form in list(forms):
            if form.startswith("市") and not form.startswith(("市委", "市级", "市属", "市直")):
                forms.add(form[1:])
    forms |= {traditional(form) for form in forms}
    return frozenset(forms - {canonical})


def split_names(text: str) -> list[str]:
    """Split on 、，； and spaces, but never inside brackets (县<市、区>)."""
    names, current, depth = [], "", 0
    for char in unify_brackets(text):
        depth += (char == "（") - (char == "）")
        if (char in _SEPARATORS or char == "等") and depth <= 0:  # 市司法局等市属…
            names.append(current)
            current, depth = "", 0
        else:
            current += char
    names.append(current)
    return [name for name in map(normalise, names) if name not in _EMPTY]


def split_note(text: str) -> UnitNote:
    """'市发展改革委、市工信商务局牵头,各履行行政审批职能部门按职责分工负责' → leads/others."""
    text = _REMARK.sub("", unify_brackets(strip_markup(simplified(text))))
    marked = re.search("牵头(?:负责)?", text)
    leads, rest = (text[: marked.start()], text[marked.end():]) if marked else ("", text)
    rest = _TRAILER.sub("", rest.strip("、，,;；。 "))
    return UnitNote(tuple(split_names(leads)), tuple(split_names(rest)), bool(marked))


def join_unit_lines(lines: list[str]) -> str:
    """One unit per line, some broken ('中国人民银行' / '金昌市分行') → '、'-joined."""
    names: list[str] = []
    for line in (normalise(line) for line in lines):
        if not line:
            continue
        if names and _TAIL.fullmatch(line):
            names[-1] += line
        else:
            names.append(line)
    return "、".join(names)
