"""Calendar data in the database: a year's State Council holiday notice (national rows) for
years the calendar package does not know, and each city's own overrides.

A notice is JSON: {"year": 2027, "source": "国务院办公厅关于2027年部分节假日安排的通知",
"days_off": ["2027-01-01", ...], "working_days": ["2027-02-20", ...]}: the holidays (days off
that would otherwise be working days, weekends may be listed too) and the make-up working days
(调休). Every other day of that year is a working day from Monday to Friday."""
from datetime import date

from sqlalchemy import delete, extract, select

from kernel.db import db
from models import CalendarDay, CalendarYear
from sla import service


class NoticeError(ValueError):
    """A malformed notice or override; the message is for the admin."""


def _dates(values, field: str, year: int) -> set[date]:
    if not isinstance(values, list):
        raise NoticeError(f"{field} 须为日期列表")
    out = set()
    for value in values:
        try:
            day = date.fromisoformat(value)
        except (TypeError, ValueError):
            raise NoticeError(f"{field} 中的 {value!r} 不是 YYYY-MM-DD 格式的日期") from None
        if day.year != year:
            raise NoticeError(f"{field} 中的 {value} 不属于 {year} 年")
        out.add(day)
    return out


def load_notice(data: dict) -> dict:
    """Replace the national rows of the notice's year, mark the year known, and compute every
    deadline that was pending on it. Returns {"year", "days_off", "working_days", "recomputed"}."""
    if not isinstance(data, dict) or not isinstance(data.get("year"), int):
        raise NoticeError("节假日安排须为对象，且含整数年份 year")
    year = data["year"]
    if not 2000 <= year <= 2100:
        raise NoticeError(f"年份 {year} 不在 2000 至 2100 之间")
    off = _dates(data.get("days_off"), "days_off", year)
    work = _dates(data.get("working_days", []), "working_days", year)
    if off & work:
        raise NoticeError(f"同一天既是休息日又是工作日：{'、'.join(sorted(d.isoformat() for d in off & work))}")
    if not off:
        raise NoticeError("days_off 不能为空：节假日安排至少包含元旦、春节等假日")
    db.session.execute(delete(CalendarDay).where(
        CalendarDay.city_id.is_(None), extract("year", CalendarDay.day) == year))
    source = str(data.get("source") or "")[:200]
    db.session.add_all([CalendarDay(city_id=None, day=d, working=False, note=source[:200]) for d in sorted(off)]
                       + [CalendarDay(city_id=None, day=d, working=True, note="调休上班") for d in sorted(work)])
    known = db.session.get(CalendarYear, year) or CalendarYear(year=year)
    known.source = source
    db.session.add(known)
    db.session.flush()
    return {"year": year, "days_off": len(off), "working_days": len(work),
            "recomputed": service.recompute_pending()}


def set_override(city_id: int, day: date, working: bool, note: str = "") -> CalendarDay:
    row = db.session.scalar(select(CalendarDay).where(CalendarDay.city_id == city_id, CalendarDay.day == day))
    if row is None:
        row = CalendarDay(city_id=city_id, day=day)
        db.session.add(row)
    row.working, row.note = working, note[:200]
    db.session.flush()
    return row


def delete_override(city_id: int, day: date) -> bool:
    result = db.session.execute(delete(CalendarDay).where(CalendarDay.city_id == city_id, CalendarDay.day == day))
    return result.rowcount > 0


def overrides(city_id: int) -> list[dict]:
    rows = db.session.scalars(select(CalendarDay).where(CalendarDay.city_id == city_id).order_by(CalendarDay.day))
    return [{"day": r.day, "working": r.working, "note": r.note} for r in rows]
