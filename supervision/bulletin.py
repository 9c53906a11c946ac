"""The monthly bulletin (每月通报): measures per unit and per territory (属地), the overdue list
and the month's most frequent topics, as JSON-ready data and as an XLSX workbook whose cells cannot run formulas."""
import io
from collections import Counter
from datetime import UTC, date, datetime

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from kernel.db import db
from kernel.vocabulary import URGENCY_LABELS
from models import Appeal, AppealClock, Unit
from models.base import utcnow
from routing.catalogue import kinds_of, load_catalogue
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
TOPIC_COLUMNS = [("kind", "部门类别"), ("matter", "诉求事项"), ("appeals", "诉求数")]
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


def _kind_label(kind: str) -> str:
    """A department kind's name for readers: the first name its catalogue pattern matches (gxj → 工信)."""
    patterns = {d.kind: d.pattern.pattern for d in load_catalogue()}
    return patterns[kind].split("|")[0] if kind in patterns else kind


def _topic(routing: dict | None, lead_unit: str | None) -> tuple[str, str]:
    """(department kind, matter) the router gave an appeal; empty strings where it gave none.

    The kind is the router's own (``routing.kind``) or that of the lead unit (the dispatcher's
    choice, else the router's first candidate); the matter is the table matter that explained
    the choice (the first candidate's)."""
    if not routing or not routing.get("candidates"):
        return "", ""
    first = routing["candidates"][0]
    kind = routing.get("kind")
    if not kind:
        kinds = kinds_of(lead_unit or first.get("unit") or "")
        kind = kinds[0] if kinds else ""
    return (_kind_label(kind) if kind else ""), first.get("matter") or ""


def topics(city_id: int, start: datetime, end: datetime, limit: int = TOPICS) -> list[dict]:
    """The month's most frequent (department kind, matter) pairs of routed appeals."""
    rows = db.session.execute(
        select(Appeal.routing, Unit.name).outerjoin(Unit, Unit.id == Appeal.lead_unit_id)
        .where(Appeal.city_id == city_id, Appeal.received_at >= start, Appeal.received_at < end)
    ).all()
    counts = Counter(_topic(routing, unit) for routing, unit in rows)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [{"topic": "：".join(p for p in (kind, matter) if p) or UNCLASSIFIED, "kind": kind or None,
             "matter": matter or None, "appeals": n} for (kind, matter), n in ranked]


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


PERCENT = "0.0%"
TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
CHART_SERIES = ("response_rate", "on_time_rate", "satisfaction_rate", "resolution_rate")


def _width(value) -> int:
    """Display width of a cell: CJK characters take two columns."""
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _sheet(book: Workbook, name: str, title: str, columns, rows) -> Worksheet:
    """Title row, bold frozen header, rates as percentages, columns as wide as their content."""
    sheet = book.create_sheet(name)
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet["A1"].font = TITLE_FONT
    sheet.append([label for _, label in columns])
    for cell in sheet[2]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    sheet.freeze_panes = "A3"
    for row in rows:
        sheet.append([safe_cell(row.get(key)) for key, _ in columns])
    for index, (key, label) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        if key.endswith("_rate"):
            for (cell,) in sheet.iter_rows(min_row=3, min_col=index, max_col=index):
                cell.number_format = PERCENT
        elif key == "median_handling_hours":
            for (cell,) in sheet.iter_rows(min_row=3, min_col=index, max_col=index):
                cell.number_format = "0.0"
        widest = max([_width(label), *(_width(c.value) for (c,) in sheet.iter_rows(min_row=3, min_col=index,
                                                                                    max_col=index))])
        sheet.column_dimensions[letter].width = min(max(widest + 2, 8), 48)
    return sheet


def _rate_chart(sheet: Worksheet, units: int, title: str) -> BarChart:
    """Bars of the main rates per unit, read from the measures sheet (rows 3 .. 2 + units)."""
    chart = BarChart()
    chart.type, chart.title, chart.style = "col", title, 10
    chart.y_axis.title, chart.y_axis.number_format = "比率", PERCENT
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    keys = [key for key, _ in MEASURE_COLUMNS]
    for key in CHART_SERIES:
        column = keys.index(key) + 1
        chart.add_data(Reference(sheet, min_col=column, min_row=2, max_row=2 + units), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=3, max_row=2 + units))
    chart.width, chart.height = max(16, 2.2 * units), 9
    return chart


def bulletin_xlsx(data: dict, city_name: str) -> bytes:
    book = Workbook()
    book.remove(book.active)
    year, month = data["month"].split("-")
    heading = f"{city_name}{int(year)}年{int(month)}月企业诉求办理情况通报"
    units = [*data["measures"]["units"], {"unit": f"{city_name}（全市）", **data["measures"]["city"]}]
    measures_sheet = _sheet(book, "单位考核", f"{heading}：单位考核", MEASURE_COLUMNS, units)
    # 属地: the same measures per county, district and development zone (the appeals on its territory)
    _sheet(book, "属地考核", f"{heading}：属地考核（县区、开发区）",
           [("unit", "属地"), *MEASURE_COLUMNS[1:]], data["measures"].get("territories", []))
    _sheet(book, "超期诉求", f"{heading}：超期诉求", OVERDUE_COLUMNS, data["overdue"])
    topic_rows = [{**t, "kind": t["kind"] or UNCLASSIFIED} for t in data["topics"]]
    _sheet(book, "高频诉求", f"{heading}：高频诉求", TOPIC_COLUMNS, topic_rows)
    charts = book.create_chartsheet("指标图表")
    charts.add_chart(_rate_chart(measures_sheet, len(units), f"{heading}：各单位指标"))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
