"""Supervision office (督查室): overdue and yellow lists, supervision orders, extension requests,
the dashboard of rates per unit and month, and the monthly bulletin. Built on sla/ and supervision/."""
from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy import func, select

from kernel.db import db, paged
from kernel.schemas import flat_errors
from models import Appeal, AppealClock, Role, SupervisionOrder
from models.base import utcnow
from sla.calendar import CHINA_TZ
from sla.colours import by_colour
from sla.deadlines import ExtensionError
from sla.extensions import decide
from supervision import orders
from supervision.bulletin import bulletin, bulletin_xlsx, month_bounds
from supervision.measures import RATES, measures
from supervision.office import clock_item, clock_list
from supervision.schemas import ClockListArgs, DecisionSchema, IssueSchema, MonthArgs, TextSchema
from web.charts import grouped_bars
from web.clock import clocks
from web.pages import city_units, list_args, page_blueprint
from web.session import current_user, login_required
from workflow.lists import AppealQuerySchema, appeal_list, marks, page_of

blp = page_blueprint("web_supervision", __name__, url_prefix="/supervision")
OFFICE = (Role.supervisor, Role.admin)
TABS = {"red": "超期", "yellow": "临期", "all": "全部诉求", "orders": "督办单", "extensions": "延期申请"}
TREND_MONTHS = 6


def _tab_data(tab: str, city_id: int) -> dict:
    """The tab's rows, a page at a time; red and yellow with the API's filters and search."""
    args, page, values, errors = list_args(ClockListArgs)
    data = {"page": page, "filters": values, "filter_errors": errors}
    if tab in ("red", "yellow"):
        now = utcnow()
        args["colour"] = tab
        return {**data, "items": [clock_item(a, now) for a in page_of(clock_list(city_id, args, now), page, "due")]}
    if tab == "all":
        args, page, values, errors = list_args(AppealQuerySchema)
        appeals = page_of(appeal_list(current_user(), args, utcnow()), page)
        return {"page": page, "filters": values, "filter_errors": errors, "appeals": appeals,
                "clocks": clocks(appeals), "marks": marks(appeals)}
    if tab == "orders":
        found = paged(select(SupervisionOrder).where(SupervisionOrder.city_id == city_id), page,
                      SupervisionOrder.status == "closed", SupervisionOrder.id.desc())
        return {**data, "orders": [orders.order_view(o) for o in found]}
    pending = db.session.scalars(select(Appeal).join(AppealClock).where(
        Appeal.city_id == city_id, AppealClock.extension_due.isnot(None)).order_by(Appeal.id)).all()
    page.item_count = len(pending)
    return {**data, "items": [clock_item(a) for a in pending]}


def render_lists(tab: str, errors: dict | None = None, values: dict | None = None, status: int = 200):
    tab = tab if tab in TABS else "red"
    city_id, now = current_user().city_id, utcnow()
    counts = {colour: db.session.scalar(by_colour(city_id, colour, now).order_by(None).with_only_columns(func.count()))
              for colour in ("red", "yellow")}
    return render_template("supervision/lists.html", tab=tab, tabs=TABS, counts=counts, errors=errors or {},
                           values=values or {}, units=city_units(city_id), **_tab_data(tab, city_id)), status


@blp.get("")
@login_required(*OFFICE)
def lists():
    return render_lists(request.args.get("tab", "red"))


@blp.post("/orders")
@login_required(*OFFICE)
def issue():
    values = {"appeal": request.form.get("appeal", "").strip().upper(),
              "reason": request.form.get("reason", "").strip()}
    try:
        data = IssueSchema().load({k: v for k, v in values.items() if v})
    except ValidationError as error:
        return render_lists("orders", flat_errors(error.messages), values, 400)
    appeal = db.session.scalar(
        select(Appeal).where(Appeal.number == data["appeal"], Appeal.city_id == current_user().city_id)
        .with_for_update(of=Appeal))
    if appeal is None:
        return render_lists("orders", {"appeal": [f"未找到诉求 {data['appeal']}"]}, values, 400)
    orders.open_order(appeal, "manual", data["reason"], current_user())
    db.session.commit()
    flash(f"已对 {appeal.number} 开具督办单", "ok")
    return redirect(url_for("web_supervision.lists", tab="orders"))


@blp.post("/orders/<int:order_id>/close")
@login_required(*OFFICE)
def close_order(order_id):
    order = orders.locked_order(order_id)
    if order is None or order.city_id != current_user().city_id:
        return render_lists("orders", {}, {}, 404)
    text = request.form.get("text", "").strip()
    try:
        TextSchema().load({"text": text} if text else {})
        orders.close(order, current_user(), text)
    except ValidationError as error:
        errors = {f"close-{order_id}": flat_errors(error.messages)["text"]}
        return render_lists("orders", errors, {f"close-{order_id}": text}, 400)
    except orders.OrderError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("web_supervision.lists", tab="orders"))
    db.session.commit()
    flash(f"督办单 {order_id} 已办结", "ok")
    return redirect(url_for("web_supervision.lists", tab="orders"))


@blp.post("/extensions/<number>")
@login_required(*OFFICE)
def decide_extension(number):
    appeal = db.session.scalar(select(Appeal).where(Appeal.number == number, Appeal.city_id == current_user().city_id)
                               .with_for_update(of=Appeal))
    if appeal is None:
        return render_lists("extensions", {}, {}, 404)
    data = DecisionSchema().load({"approve": request.form.get("approve") == "1",
                                  "note": request.form.get("note", "").strip() or None})
    try:
        decide(appeal, current_user(), data["approve"], data["note"])
    except ExtensionError as error:
        db.session.rollback()
        flash(f"{number}：{error}", "error")
        return redirect(url_for("web_supervision.lists", tab="extensions"))
    db.session.commit()
    flash(f"{number} 延期申请已{'批准' if data['approve'] else '不予批准'}", "ok")
    return redirect(url_for("web_supervision.lists", tab="extensions"))


def _month(value: str | None) -> str:
    """The month asked for (YYYY-MM), the current one when none is given; a wrong one is a 400."""
    if not value:
        return utcnow().astimezone(CHINA_TZ).strftime("%Y-%m")
    try:
        MonthArgs().load({"month": value})
    except ValidationError as error:
        abort(400, description=error.messages["month"][0])
    return value


def _previous_months(month: str, count: int) -> list[str]:
    first = date.fromisoformat(f"{month}-01")
    months = []
    for back in range(count - 1, -1, -1):
        index = first.year * 12 + first.month - 1 - back
        months.append(f"{index // 12:04d}-{index % 12 + 1:02d}")
    return months


def _unit_row(figures: dict, unit_id: int) -> dict:
    """One unit's row of the measures (empty figures when it had no appeals)."""
    empty = {"appeals": 0, "open_overdue": 0, **dict.fromkeys(RATES)}
    return next((u for u in figures["units"] if u["unit_id"] == unit_id), empty)


def month_row(city_id: int, month: str, unit_id: int | None) -> dict:
    """The month's figures for the city, or for one unit (empty when it had no appeals)."""
    figures = measures(city_id, *month_bounds(month))
    return {"month": month, **(figures["city"] if unit_id is None else _unit_row(figures, unit_id))}


@blp.get("/dashboard")
@login_required(*OFFICE)
def dashboard():
    """Rates per unit and per territory (属地) for a month and the last months' trend, for the city
    or, with `unit`, for that unit alone (its figures, its row, its bars; the city total stays for
    comparison)."""
    city = current_user().city
    month = _month(request.args.get("month"))
    units = city_units(city.id)
    unit = next((u for u in units if str(u.id) == request.args.get("unit")), None)
    figures = measures(city.id, *month_bounds(month))
    rows = [{"unit": unit.name, **_unit_row(figures, unit.id)}] if unit else figures["units"]
    trend = [month_row(city.id, m, unit.id if unit else None) for m in _previous_months(month, TREND_MONTHS)]
    whose = unit.name if unit else "全市"
    return render_template(
        "supervision/dashboard.html", month=month, city_figures=figures["city"], rows=rows, trend=trend,
        territory_rows=figures["territories"],
        units=units, unit=unit, whose=whose, current=rows[0] if unit else figures["city"],
        unit_chart=grouped_bars(rows, "unit", f"{month} {'各单位' if not unit else whose}四项指标"),
        trend_chart=grouped_bars(trend, "month", f"近{TREND_MONTHS}个月{whose}四项指标", min_groups=TREND_MONTHS))


@blp.get("/bulletin")
@login_required(*OFFICE)
def download_bulletin():
    city = current_user().city
    month = _month(request.args.get("month"))
    content = bulletin_xlsx(bulletin(city.id, month), city.name)
    filename = f"bulletin-{month}.xlsx"
    return Response(content, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})
