"""Enterprise pages (mobile, no sign-in): submit an appeal, track it by number plus the last four
digits of the phone, and answer the follow-up. What a mini-program's web view would show."""
import secrets

from flask import current_app, render_template, request
from redis.exceptions import RedisError
from sqlalchemy import select

from app.extensions import db
from intake.service import submit
from jobs.connection import redis_connection
from models import Appeal, City, Status
from privacy.lookup import normalise_phone
from sla.service import appeal_clock
from supervision.followup import RATINGS, FollowUpError, record_follow_up
from web.intake_form import form_values, load_appeal
from web.pages import page_blueprint
from workflow.events import lock_appeal

blp = page_blueprint("web_mobile", __name__, url_prefix="/m")
CHANNEL = "miniprogram"
# Steps an enterprise sees in its timeline (reads of complainant data and internal notes are not shown).
PUBLIC_STEPS = ("receive", "to_manual", "route", "assign", "accept", "contact", "return", "reply", "close",
                "follow_up", "reopen", "extension_approve", "supervision_open")
MAX_WRONG = 5  # wrong phone digits per appeal number per hour before tracking that number is refused
WRONG_WINDOW = 3600


def _cities() -> list[City]:
    return db.session.scalars(select(City).order_by(City.id)).all()


@blp.get("/")
def home():
    return render_template("mobile/home.html")


@blp.route("/submit", methods=["GET", "POST"])
def submit_appeal():
    cities = _cities()
    if request.method == "GET":
        values = {"external_id": f"m-{secrets.token_hex(8)}", "city": cities[0].name if cities else ""}
        return render_template("mobile/submit.html", values=values, errors={}, cities=cities)
    values = {**form_values(request.form), "channel": CHANNEL, "urgency": "normal"}
    values["city"] = request.form.get("city", "").strip()
    data, errors = load_appeal({k: v for k, v in values.items() if k != "city"}, values["city"])
    if errors:
        return render_template("mobile/submit.html", values=values, errors=errors, cities=cities), 400
    appeal, _ = submit(data, None)
    return render_template("mobile/submitted.html", appeal=appeal)


def _too_many_wrong(number: str) -> bool:
    try:
        return int(redis_connection().get(f"m:track:wrong:{number}") or 0) >= MAX_WRONG
    except RedisError:
        current_app.logger.warning("track limiter unavailable")
        return False


def _count_wrong(number: str) -> None:
    try:
        key = f"m:track:wrong:{number}"
        pipe = redis_connection().pipeline()
        pipe.incr(key).expire(key, WRONG_WINDOW).execute()
    except RedisError:
        current_app.logger.warning("track limiter unavailable")


def find_tracked(number: str, last4: str) -> tuple[Appeal | None, dict]:
    """The appeal when the number exists and the phone ends with last4; one vague message otherwise."""
    errors: dict = {}
    if not number:
        errors["number"] = ["请填写受理编号"]
    if not (len(last4) == 4 and last4.isdigit()):
        errors["last4"] = ["请填写联系电话的后四位数字"]
    if errors:
        return None, errors
    if _too_many_wrong(number):
        return None, {"number": ["查询错误次数过多，请一小时后再试"]}
    appeal = db.session.scalar(select(Appeal).where(Appeal.number == number))
    if appeal is None or not normalise_phone(appeal.complainant_phone).endswith(last4):
        _count_wrong(number)
        return None, {"number": ["受理编号或电话后四位不正确，请核对"]}
    return appeal, {}


def _track_page(appeal: Appeal, last4: str, errors: dict | None = None, values: dict | None = None,
                message: str = "", status: int = 200):
    events = [e for e in appeal.events if e.action in PUBLIC_STEPS]
    clock = appeal.clock
    can_rate = appeal.status == Status.closed and clock is not None and not (
        clock.followed_up_at is not None and appeal.closed_at and clock.followed_up_at >= appeal.closed_at)
    return render_template("mobile/status.html", appeal=appeal, events=events, last4=last4, can_rate=can_rate,
                           ratings=RATINGS, errors=errors or {}, values=values or {}, message=message,
                           deadline=appeal_clock(appeal), reopened=bool(clock and clock.reopens),
                           rating=RATINGS.get(clock.rating) if clock and clock.followed_up_at else None), status


@blp.route("/track", methods=["GET", "POST"])
def track():
    if request.method == "GET":
        return render_template("mobile/track.html", values={"number": request.args.get("number", "")}, errors={})
    number = request.form.get("number", "").strip().upper()
    last4 = request.form.get("last4", "").strip()
    appeal, errors = find_tracked(number, last4)
    if appeal is None:
        return render_template("mobile/track.html", values={"number": number, "last4": last4}, errors=errors), 400
    return _track_page(appeal, last4)


@blp.post("/rate")
def rate():
    """The follow-up answered by the enterprise; the number and digits are checked again."""
    number = request.form.get("number", "").strip().upper()
    last4 = request.form.get("last4", "").strip()
    appeal, errors = find_tracked(number, last4)
    if appeal is None:
        return render_template("mobile/track.html", values={"number": number}, errors=errors), 400
    values = {name: request.form.get(name, "").strip() for name in ("solved", "rating", "note")}
    errors = {}
    if values["solved"] not in ("yes", "no"):
        errors["solved"] = ["请选择问题是否已解决"]
    if values["rating"] not in RATINGS:
        errors["rating"] = ["请选择满意程度"]
    if len(values["note"]) > 500:
        errors["note"] = ["意见建议不超过500字"]
    if errors:
        return _track_page(appeal, last4, errors, values, status=400)
    lock_appeal(appeal)  # the follow-up may reopen it: act on the appeal as it is once locked
    try:
        record_follow_up(appeal, values["solved"] == "yes", values["rating"], None, CHANNEL, values["note"] or None)
    except FollowUpError as error:
        db.session.rollback()
        return _track_page(appeal, last4, {"rating": [str(error)]}, values, status=409)
    db.session.commit()
    return _track_page(appeal, last4, message="感谢您的评价！您的意见已记录。")
