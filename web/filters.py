"""Jinja filters and globals: Beijing time, Chinese labels, the CSRF token and the signed-in user."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask_wtf.csrf import generate_csrf

from kernel.vocabulary import CHANNEL_LABELS, STATUS_LABELS, URGENCY_LABELS
from models.user import ROLE_LABELS
from routing.territory import SOURCE_LABELS
from web.session import current_user
from workflow.transitions import EMERGENCY_SERVICES
from workflow.views import needs_handover

CHINA = ZoneInfo("Asia/Shanghai")
ACTION_LABELS = {
    "receive": "受理", "to_manual": "转人工分拨", "route": "自动派单", "assign": "派单",
    "accept": "签收", "contact": "首次联系", "return": "退单", "reply": "答复", "close": "办结",
    "disclose": "查看诉求人信息", "view_complainant": "查看诉求人信息",
    "sla_yellow": "临近时限（黄灯）", "sla_red": "超期（红灯）", "sla_accept_late": "签收超期（红灯）", "extension_request": "申请延期",
    "extension_approve": "批准延期", "extension_refuse": "不同意延期", "follow_up": "回访",
    "follow_up_unreached": "回访未接通", "reopen": "重办", "supervision_open": "督办", "supervision_respond": "督办反馈",
    "supervision_close": "督办办结", "supervision_transfer": "督办转单位",
    "set_urgency": "调整紧急程度", "handover": "已转 110/119/120", "set_territory": "更正属地",
}
COLOUR_LABELS = {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}


def local_time(value: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Beijing time of an aware datetime, or of its ISO text (as JSON columns keep it)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(CHINA).strftime(fmt) if value else ""


def register(app: Flask) -> None:
    app.jinja_env.filters["local"] = local_time
    app.jinja_env.filters["life_danger"] = needs_handover
    for name, labels in (("status_label", STATUS_LABELS), ("urgency_label", URGENCY_LABELS),
                         ("channel_label", CHANNEL_LABELS), ("action_label", ACTION_LABELS),
                         ("territory_source_label", SOURCE_LABELS),
                         ("role_label", ROLE_LABELS), ("colour_label", COLOUR_LABELS)):
        app.jinja_env.filters[name] = lambda value, labels=labels: labels.get(value, value or "")
    app.jinja_env.globals.update(csrf_token=generate_csrf, current_user=current_user,
                                 URGENCY_LABELS=URGENCY_LABELS, CHANNEL_LABELS=CHANNEL_LABELS,
                                 EMERGENCY_SERVICES=EMERGENCY_SERVICES, STATUS_LABELS=STATUS_LABELS)
