"""The monthly bulletin (每月通报): measures per unit, the overdue list and the month's most
frequent topics, as JSON-ready data and as an XLSX workbook whose cells cannot run formulas."""
import io
from datetime import UTC, date, datetime

from openpyxl import Workbook
from sqlalchemy import func, select

from app.extensions import db
from models import Appeal, AppealClock, Unit
from models.appeal import URGENCY_LABELS
from models.base import utcnow
from sla.calendar import CHINA_TZ
from supervision.measures import measures

OVERDUE_LIMIT = 1000
TOPICS = 10
UNCLASSIFIED = "未分类"
MEASURE_COLUMNS = [
    ("unit", "单位"), ("appeals", "诉求数"), ("response_rate", "响应率"), ("resolution_rate", "解决率"),
    ("satisfaction_rate", "满意率"), ("on_time_rate", "按时办结率"), ("return_rate", "退单率"),
    ("reopen_rate", "重办率"), ("extension_rate", "延期率"), ("median_handling_hours", "办理时长中位数（小时）"),
    ("open_overdue", "超期未办结"),
]
OVERDUE_COLUMNS = [("number", "受理编号"), ("unit", "主办单位"), ("urgency_label", "紧急程度"),
                   ("enterprise", "企业"), ("completion_due", "办结时限"), ("overdue_days", "超期天数")]


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """'2026-11' -> [start, end) in UTC, the month taken in Beijing time."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise ValueError(f"月份 {month!r} 应为 YYYY-MM 格式") from None
    nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    bound = lambda d: datetime(d.year, d.month, d.day, tzinfo=CHINA_TZ).astimezone(UTC)  # noqa: E731
    return bound(first), bound(nxt)


def _topic():
    """The router's matter for the appeal, where it recorded one."""
    return func.coalesce(Appeal.routing[("explanation", "matter")].as_string(), Appeal.routing["matter"].as_string())


def topics(city_id: int, start: datetime, end: datetime, limit: int = TOPICS) -> list[dict]:
    topic = _topic()
    rows = db.session.execute(
        select(topic.label("topic"), func.count().label("appeals"))
        .where(Appeal.city_id == city_id, Appeal.received_at >= start, Appeal.received_at < end)
        .group_by(topic).order_by(func.count().desc(), topic).limit(limit)
    ).all()
    return [{"topic": t or UNCLASSIFIED, "appeals": n} for t, n in rows]


def overdue(city_id: int, end: datetime, now: datetime, limit: int = OVERDUE_LIMIT) -> list[dict]:
    """Appeals received before the period's end, still open and past their deadline at ``now``."""
    rows = db.session.execute(
        select(Appeal.number, Unit.name, Appeal.urgency, Appeal.enterprise_name, AppealClock.completion_due)
        .join(AppealClock, AppealClock.appeal_id == Appeal.id).outerjoin(Unit, Unit.id == Appeal.lead_unit_id)
        .where(Appeal.city_id == city_id, Appeal.received_at < end, AppealClock.open.is_(True),
               AppealClock.completion_due < now)
        .order_by(AppealClock.completion_due).limit(limit)
    ).all()
    return [{"number": n, "unit": u, "urgency": urg, "urgency_label": URGENCY_LABELS[urg], "enterprise": ent,
             "completion_due": due, "overdue_days": (now - due).days} for n, u, urg, ent, due in rows]


def bulletin(city_id: int, month: str, *, now: datetime | None = None, fairly_weight: float = 1.0) -> dict:
    now = now or utcnow()
    start, end = month_bounds(month)
    return {"month": month, "generated_at": now,
            "measures": measures(city_id, start, end, now=now, fairly_weight=fairly_weight),
            "overdue": overdue(city_id, end, now), "topics": topics(city_id, start, end)}


def safe_cell(value):
    """Text that a spreadsheet would read as a formula (= + - @, tab, CR) gets a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if isinstance(value, datetime):
        return value.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
    return value


def _sheet(book: Workbook, title: str, columns, rows) -> None:
    sheet = book.create_sheet(title)
    sheet.append([label for _, label in columns])
    for row in rows:
        sheet.append([safe_cell(row.get(key)) for key, _ in columns])


def bulletin_xlsx(data: dict, city_name: str) -> bytes:
    book = Workbook()
    book.remove(book.active)
    units = [*data["measures"]["units"], {"unit": f"{city_name}（全市）", **data["measures"]["city"]}]
    _sheet(book, "单位考核", MEASURE_COLUMNS, units)
    _sheet(book, "超期诉求", OVERDUE_COLUMNS, data["overdue"])
    _sheet(book, "高频诉求", [("topic", "诉求事项"), ("appeals", "诉求数")], data["topics"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
