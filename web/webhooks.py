"""Admin pages for webhooks (管理员): partners, subscriptions and the delivery log, with
creation (validated by the admin API's schemas), enable/disable, deletion of an unused
subscription, secret rotation and re-delivery of dead letters."""
import json
from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy import select

from kernel.db import db
from kernel.http import load_json
from kernel.schemas import flat_errors
from models import Delivery, Partner, Role, Subscription
from web.pages import city_units, page_blueprint
from web.session import current_user, login_required
from webhooks import delivery as deliveries
from webhooks.config import setting
from webhooks.events import ALL_EVENT_TYPES
from webhooks.partners import InputError, add_partner, add_subscription, remove_subscription
from webhooks.schemas import PartnerInSchema, SubscriptionInSchema
from webhooks.signing import rotate

blp = page_blueprint("web_webhooks", __name__, url_prefix="/admin/webhooks")
STATES = {"pending": "待发送", "sending": "发送中", "delivered": "已送达", "dead": "死信"}
RECENT = 100


def _city_id() -> int:
    return current_user().city_id


def _partner(slug: str) -> Partner:
    partner = db.session.scalar(select(Partner).where(Partner.slug == slug, Partner.city_id == _city_id()))
    if partner is None:
        abort(404)
    return partner


def _subscription(subscription_id: int) -> Subscription:
    subscription = db.session.get(Subscription, subscription_id)
    if subscription is None or subscription.city_id != _city_id():
        abort(404)
    return subscription


def _delivery(delivery_id: int) -> Delivery:
    found = db.session.get(Delivery, delivery_id)
    if found is None or found.subscription.city_id != _city_id():
        abort(404)
    return found


MAPPING_EXAMPLE = {"fields": {"external_id": "id", "enterprise.name": "company", "complainant.name": "contact",
                              "complainant.phone": "mobile", "text": "content"}, "values": {}}


def _form_errors(error: ValidationError) -> dict:
    """Schema messages by form field: nested ones (mapping.fields, event_types.0) under their field."""
    errors: dict = {}
    for name, messages in flat_errors(error.messages).items():
        errors.setdefault(name.split(".")[0], []).extend(messages)
    return errors


def _render_index(values: dict | None = None, errors: dict | None = None, status: int = 200):
    state = request.args.get("state", "")
    query = select(Delivery).join(Subscription).where(Subscription.city_id == _city_id())
    if state in STATES:
        query = query.where(Delivery.state == state)
    partners = db.session.scalars(select(Partner).where(Partner.city_id == _city_id()).order_by(Partner.id)).all()
    return render_template(
        "webhooks/index.html", partners=partners,
        subscriptions=db.session.scalars(
            select(Subscription).where(Subscription.city_id == _city_id()).order_by(Subscription.id)).all(),
        deliveries=db.session.scalars(query.order_by(Delivery.id.desc()).limit(RECENT)).all(),
        states=STATES, state=state, event_types=ALL_EVENT_TYPES, units=city_units(_city_id()),
        values=values or {"mapping": json.dumps(MAPPING_EXAMPLE, ensure_ascii=False, indent=2)},
        errors=errors or {},
    ), status


@blp.get("")
@login_required(Role.admin)
def index():
    return _render_index()


@blp.post("/partners")
@login_required(Role.admin)
def create_partner():
    """A partner from the form: slug, name and the field mapping as JSON (PartnerInSchema)."""
    values = {name: request.form.get(name, "").strip() for name in ("slug", "name", "mapping")}
    try:
        mapping = load_json(values["mapping"] or "null")  # 400 when too deep or not storable
    except ValueError:
        return _render_index(values, {"mapping": ["字段对应关系须为 JSON 对象"]}, 400)
    return _create_showing_secret(
        values, lambda: add_partner(current_user().city, PartnerInSchema().load({**values, "mapping": mapping})),
        lambda partner: f"合作平台「{partner.name}」")


@blp.post("/subscriptions")
@login_required(Role.admin)
def create_subscription():
    """A subscription from the form: the receiving URL, a unit or a partner, the events (SubscriptionInSchema)."""
    values = {name: request.form.get(name, "").strip() for name in ("url", "unit", "partner")}
    values["event_types"] = request.form.getlist("event_types")
    args = {"url": values["url"], "unit": values["unit"] or None, "partner": values["partner"] or None,
            "event_types": values["event_types"]}
    return _create_showing_secret(
        values, lambda: add_subscription(_city_id(), SubscriptionInSchema().load(args)),
        lambda subscription: f"订阅 #{subscription.id}")


def _create_showing_secret(values: dict, create, label_of):
    """Create a partner or subscription from its form; on bad input the form again with the errors,
    else the new secret, shown once."""
    try:
        created = create()
    except ValidationError as error:
        return _render_index(values, _form_errors(error), 400)
    except InputError as error:
        db.session.rollback()
        return _render_index(values, error.errors, 400)
    db.session.commit()
    return render_template("webhooks/secret.html", label=label_of(created), secret=created.secret, valid_until=None)


@blp.post("/subscriptions/<int:subscription_id>/delete")
@login_required(Role.admin)
def delete_subscription(subscription_id):
    if remove_subscription(_subscription(subscription_id)):
        db.session.commit()
        flash(f"已删除订阅 #{subscription_id}", "ok")
    else:
        flash(f"订阅 #{subscription_id} 已有推送记录，不能删除；请改为停用", "error")
    return redirect(url_for("web_webhooks.index"))


@blp.get("/deliveries/<int:delivery_id>")
@login_required(Role.admin)
def delivery_detail(delivery_id):
    return render_template("webhooks/delivery.html", delivery=_delivery(delivery_id), states=STATES)


@blp.post("/deliveries/<int:delivery_id>/redeliver")
@login_required(Role.admin)
def redeliver(delivery_id):
    found = _delivery(delivery_id)
    if found.state != "dead":
        flash("只有死信可以重新推送", "error")
    else:
        deliveries.redeliver(found)
        db.session.commit()
        flash(f"推送 #{found.id} 已重新排队", "ok")
    return redirect(url_for("web_webhooks.delivery_detail", delivery_id=delivery_id))


@blp.post("/partners/<string:slug>/active")
@login_required(Role.admin)
def toggle_partner(slug):
    partner = _partner(slug)
    partner.active = not partner.active
    db.session.commit()
    flash(f"已{'启用' if partner.active else '停用'}合作平台「{partner.name}」", "ok")
    return redirect(url_for("web_webhooks.index"))


@blp.post("/subscriptions/<int:subscription_id>/active")
@login_required(Role.admin)
def toggle_subscription(subscription_id):
    subscription = _subscription(subscription_id)
    subscription.active = not subscription.active
    db.session.commit()
    flash(f"已{'启用' if subscription.active else '停用'}订阅 #{subscription.id}", "ok")
    return redirect(url_for("web_webhooks.index"))


def _rotated(holder, label: str):
    secret = rotate(holder, timedelta(hours=setting("WEBHOOK_SECRET_OVERLAP_HOURS")))
    db.session.commit()
    # Shown in this response only: never in a flash message, which travels in the session cookie.
    return render_template("webhooks/secret.html", label=label, secret=secret,
                           valid_until=holder.previous_valid_until)


@blp.post("/partners/<string:slug>/secret")
@login_required(Role.admin)
def rotate_partner(slug):
    partner = _partner(slug)
    return _rotated(partner, f"合作平台「{partner.name}」")


@blp.post("/subscriptions/<int:subscription_id>/secret")
@login_required(Role.admin)
def rotate_subscription(subscription_id):
    return _rotated(_subscription(subscription_id), f"订阅 #{subscription_id}")
