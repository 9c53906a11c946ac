"""Time-limit rules per urgency, as plain data that round-trips through JSON.

A rule set is a mapping urgency code -> UrgencyRule. ``rules_to_dict`` / ``rules_from_dict``
turn it into JSON-ready data and back, validating it with Chinese messages for admins.
"""
from dataclasses import dataclass
from types import MappingProxyType

from kernel.vocabulary import URGENCY_LABELS

URGENCIES = MappingProxyType(URGENCY_LABELS)
UNITS = MappingProxyType({"minutes": "分钟", "hours": "小时", "working_days": "个工作日"})
LIMIT_NAMES = ("dispatch", "accept", "first_response", "completion")
OPTIONAL_LIMITS = ("first_response", "extension_once", "extension_cap_total")


class RuleError(ValueError):
    """An invalid rule set; the message is meant for the admin who edited it."""


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: str  # minutes | hours | working_days

    def __post_init__(self):
        if self.unit not in UNITS:
            raise RuleError(f"时限单位须为 {'、'.join(UNITS)} 之一，收到 {self.unit!r}")
        if type(self.amount) is not int or self.amount < 1:
            raise RuleError(f"时限数值须为正整数，收到 {self.amount!r}")

    @property
    def working_days(self) -> bool:
        return self.unit == "working_days"

    def __str__(self) -> str:
        return f"{self.amount}{UNITS[self.unit]}"


@dataclass(frozen=True)
class UrgencyRule:
    """Limits run from dispatch. ``extension_once``: the single extension allowed and its
    longest length (None: no single-extension rule, repeat within the cap).
    ``extension_cap_total``: longest total from dispatch after extensions (None: no cap).
    ``extension_needs_supervision``: only the supervision office may grant an extension."""

    urgency: str
    dispatch: Limit
    accept: Limit
    first_response: Limit | None
    completion: Limit
    extension_once: Limit | None
    extension_cap_total: Limit | None
    extension_needs_supervision: bool

    def __post_init__(self):
        if self.urgency not in URGENCIES:
            raise RuleError(f"未知的紧急程度 {self.urgency!r}，应为 {'、'.join(URGENCIES)} 之一")
        name = URGENCIES[self.urgency]
        for limit in (self.extension_once, self.extension_cap_total):
            if limit is not None and limit.working_days != self.completion.working_days:
                raise RuleError(f"{name}：延期时限须与办结时限使用同一种计时方式（工作日或自然时）")
        if type(self.extension_needs_supervision) is not bool:
            raise RuleError(f"{name}：extension_needs_supervision 须为 true 或 false")


def _wd(n: int) -> Limit:
    return Limit(n, "working_days")


def _h(n: int) -> Limit:
    return Limit(n, "hours")


DEFAULT_RULES = MappingProxyType({
    "emergency": UrgencyRule("emergency", _h(1), Limit(30, "minutes"), _h(2), _h(24), None, None, True),
    "urgent": UrgencyRule("urgent", _h(2), _h(1), _h(2), _h(24), _h(24), None, False),
    "normal": UrgencyRule("normal", _h(24), _wd(1), _wd(1), _wd(5), _wd(5), _wd(15), False),
    "consult": UrgencyRule("consult", _h(24), _wd(1), None, _wd(2), _wd(1), None, False),
    "complex": UrgencyRule("complex", _h(24), _wd(1), _wd(1), _wd(15), None, _wd(30), False),
})


def rule_limit(rule: UrgencyRule, name: str) -> Limit:
    """The limit called ``name`` (dispatch, accept, first_response, completion)."""
    if name not in LIMIT_NAMES:
        raise RuleError(f"未知的时限 {name!r}，应为 {'、'.join(LIMIT_NAMES)} 之一")
    limit = getattr(rule, name)
    if limit is None:
        raise RuleError(f"{URGENCIES[rule.urgency]}诉求没有 {name} 时限")
    return limit


def rules_to_dict(rules) -> dict:
    """JSON-ready data: {urgency: {field: {"amount": n, "unit": u} | null | bool}}."""
    return {
        code: {
            "dispatch": _limit_to_dict(rule.dispatch),
            "accept": _limit_to_dict(rule.accept),
            "first_response": _limit_to_dict(rule.first_response),
            "completion": _limit_to_dict(rule.completion),
            "extension_once": _limit_to_dict(rule.extension_once),
            "extension_cap_total": _limit_to_dict(rule.extension_cap_total),
            "extension_needs_supervision": rule.extension_needs_supervision,
        }
        for code, rule in rules.items()
    }


def _limit_to_dict(limit: Limit | None) -> dict | None:
    return None if limit is None else {"amount": limit.amount, "unit": limit.unit}


FIELDS = (*LIMIT_NAMES, "extension_once", "extension_cap_total", "extension_needs_supervision")


def rules_from_dict(data) -> dict[str, UrgencyRule]:
    """Inverse of rules_to_dict; every urgency and every field must be present."""
    if not isinstance(data, dict):
        raise RuleError("规则须为以紧急程度为键的对象")
    missing = [URGENCIES[code] for code in URGENCIES if code not in data]
    unknown = [repr(code) for code in data if code not in URGENCIES]
    if missing or unknown:
        raise RuleError("；".join(filter(None, [
            missing and f"缺少紧急程度：{'、'.join(missing)}",
            unknown and f"未知的紧急程度：{'、'.join(unknown)}",
        ])))
    return {code: _rule_from_dict(code, data[code]) for code in URGENCIES}


def _rule_from_dict(code: str, data) -> UrgencyRule:
    name = URGENCIES[code]
    if not isinstance(data, dict) or set(data) != set(FIELDS):
        raise RuleError(f"{name}：须恰好包含字段 {'、'.join(FIELDS)}")
    limits = {}
    for field in FIELDS[:-1]:
        value = data[field]
        if value is None and field in OPTIONAL_LIMITS:
            limits[field] = None
        elif isinstance(value, dict) and set(value) == {"amount", "unit"}:
            try:
                limits[field] = Limit(value["amount"], value["unit"])
            except RuleError as exc:
                raise RuleError(f"{name}.{field}：{exc}") from None
        else:
            raise RuleError(f"{name}.{field}：须为 {{\"amount\": 数值, \"unit\": 单位}}"
                            + ("或 null" if field in OPTIONAL_LIMITS else ""))
    return UrgencyRule(code, **limits, extension_needs_supervision=data["extension_needs_supervision"])
