"""Enterprise pages (mobile, no sign-in): submit an appeal, track it by number plus the last four
digits of the phone, and answer the follow-up. What a mini-program's web view would show."""
import secrets

from flask import abort, current_app, render_template, request
from flask_limiter.util import get_remote_address
from itsdangerous import BadData, URLSafeTimedSerializer
from redis.exceptions import RedisError
from sqlalchemy import select

from events.log import lock_appeal
from intake.service import submit
from jobs.connection import redis_connection
from kernel.db import db
from kernel.vocabulary import Status
from models import Appeal, City
from privacy.lookup import normalise_phone
from sla.service import appeal_clock
from supervision.followup import RATINGS, FollowUpError, record_follow_up
from web.intake_form import form_values, load_appeal
from web.pages import page_blueprint
from web.rating import rating_form

blp = page_blueprint("web_mobile", __name__, url_prefix="/m")
CHANNEL = "miniprogram"
# Steps an enterprise sees in its timeline (reads of complainant data and internal notes are not shown).
PUBLIC_STEPS = ("receive", "to_manual", "route", "assign", "accept", "contact", "return", "reply", "close",
                "follow_up", "reopen", "extension_approve", "supervision_open")
# Wrong number/digits pairs per client address per hour, whatever the numbers: the limit is on
# the guesser, never on the appeal, so guessing cannot lock the enterprise out of its own appeal.
MAX_WRONG = 10
WRONG_WINDOW = 3600
UNAVAILABLE = "查询服务暂时不可用，请稍后再试"
FORM_KEY_AGE = 24 * 3600  # a form left open longer is submitted again with a fresh key


def _cities() -> list[City]:
    return db.session.scalars(select(City).order_by(City.id)).all()


@blp.get("/")
def home():
    return render_template("mobile/home.html")


@blp.route("/submit", methods=["GET", "POST"])
def submit_appeal():
    cities = _cities()
    if request.method == "GET":
        values = {"form_key": new_form_key(), "city": cities[0].name if cities else ""}
        return render_template("mobile/submit.html", values=values, errors={}, cities=cities)
    form_key = request.form.get("form_key", "")
    external_id = external_id_for(form_key)
    # Urgency and danger to life are judged by staff and the router, not ticked by the enterprise.
    values = {**form_values(request.form), "channel": CHANNEL, "urgency": "normal", "life_danger": "",
              "external_id": external_id or ""}
    city = request.form.get("city", "").strip()
    data, errors = load_appeal(values, city)
    if external_id is None:
        errors, form_key = {**errors, "_form": ["页面已过期，请核对内容后再次提交"]}, new_form_key()
    if errors:
        shown = {**values, "city": city, "form_key": form_key}
        return render_template("mobile/submit.html", values=shown, errors=errors, cities=cities), 400
    appeal, _ = submit(data, None)
    return render_template("mobile/submitted.html", appeal=appeal)


def _form_keys() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="m-submit-form")


def new_form_key() -> str:
    """A signed, random key per form: a double-clicked or re-sent form is stored once, and its
    number is shown again only to whoever holds the form (a client cannot pick another's id)."""
    return _form_keys().dumps(secrets.token_hex(16))


def external_id_for(form_key: str) -> str | None:
    """The appeal's external id for a form key this server handed out; None when it is forged,
    altered or older than a day."""
    try:
        return f"m-{_form_keys().loads(form_key, max_age=FORM_KEY_AGE)}"
    except BadData:
        return None


def _on_guesses(command):
    """Run `command(redis, key)` on this address's count of wrong guesses. Without Redis the
    guesses cannot be counted, so tracking is refused (503) rather than left unlimited."""
    try:
        return command(redis_connection(), f"m:track:wrong:{get_remote_address()}")
    except RedisError:
        current_app.logger.warning("track limiter unavailable: tracking refused")
        abort(503, description=UNAVAILABLE)


def _too_many_wrong() -> bool:
    return _on_guesses(lambda redis, key: int(redis.get(key) or 0)) >= MAX_WRONG


def _count_wrong() -> None:
    _on_guesses(lambda redis, key: redis.pipeline().incr(key).expire(key, WRONG_WINDOW).execute())


def find_tracked(number: str, last4: str) -> tuple[Appeal | None, dict]:
    """The appeal when the number exists and the phone ends with last4; one vague message otherwise."""
    errors: dict = {}
    if not number:
        errors["number"] = ["请填写受理编号"]
    if not (len(last4) == 4 and last4.isdigit()):
        errors["last4"] = ["请填写联系电话的后四位数字"]
    if errors:
        return None, errors
    if _too_many_wrong():
        return None, {"number": ["查询错误次数过多，请一小时后再试"]}
    appeal = db.session.scalar(select(Appeal).where(Appeal.number == number))
    if appeal is None or not normalise_phone(appeal.complainant_phone).endswith(last4):
        _count_wrong()
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
    values, errors = rating_form(request.form)
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
