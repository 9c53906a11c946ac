"""The shared vocabulary of an appeal: channel, urgency and status, each with its label and order.

Defined once here; models, schemas, lists, SLA rules and pages take them from this module.
"""
from enum import StrEnum


class Channel(StrEnum):
    hotline = "hotline"
    miniprogram = "miniprogram"
    web = "web"
    partner = "partner"


class Urgency(StrEnum):
    emergency = "emergency"
    urgent = "urgent"
    normal = "normal"
    consult = "consult"
    complex = "complex"


class Status(StrEnum):
    received = "received"  # 受理: stored, waiting for the dispatch job
    manual = "manual"  # 人工分拨: waiting for a dispatcher
    dispatched = "dispatched"  # 已派单: waiting for the lead unit to accept
    accepted = "accepted"  # 已签收
    replied = "replied"  # 已答复
    closed = "closed"  # 已办结
    returned = "returned"  # 已退单: back with the dispatchers


CHANNEL_LABELS = {"hotline": "12345热线", "miniprogram": "微信小程序", "web": "网上提交", "partner": "合作平台"}
URGENCY_LABELS = {"emergency": "紧急", "urgent": "加急", "normal": "一般", "consult": "咨询", "complex": "疑难复杂"}
STATUS_LABELS = {
    "received": "已受理",
    "manual": "待人工分拨",
    "dispatched": "已派单",
    "accepted": "已签收",
    "replied": "已答复",
    "closed": "已办结",
    "returned": "已退单",
}

# How pressing an urgency is: higher first in every queue; the router raises a submitted urgency
# only to a higher rank. A complex (疑难复杂) appeal is as pressing as a normal one.
URGENCY_RANK = {"consult": 0, "normal": 1, "complex": 1, "urgent": 2, "emergency": 3}
