"""Admin API for partners and their secrets, outbound subscriptions, and delivery logs."""
from datetime import timedelta

from flask import g
from flask_smorest import abort
from sqlalchemy import select

from accounts.auth import require_roles
from kernel.db import db, paged
from kernel.http import Blueprint, abort_invalid, page_body
from models import Appeal, Delivery, Partner, Role, Subscription
from webhooks import delivery as deliveries
from webhooks.config import setting
from webhooks.partners import InputError, add_partner, add_subscription, remove_subscription
from webhooks.schemas import (
    DeliveryOutSchema,
    DeliveryPageSchema,
    DeliveryQuerySchema,
    PartnerInSchema,
    PartnerOutSchema,
    PartnerPatchSchema,
    RotateSchema,
    SecretOutSchema,
    SubscriptionInSchema,
    SubscriptionOutSchema,
    SubscriptionPatchSchema,
)
from webhooks.signing import rotate

blp = Blueprint("webhook_admin", __name__, url_prefix="/api/v1/admin", description="合作平台与推送管理")


def partner_view(partner: Partner, secret: str | None = None) -> dict:
    view = {"slug": partner.slug, "name": partner.name, "active": partner.active, "username": partner.user.username,
            "mapping": partner.mapping, "previous_valid_until": partner.previous_valid_until,
            "created_at": partner.created_at}
    return {**view, "secret": secret} if secret else view


def subscription_view(subscription: Subscription, secret: str | None = None) -> dict:
    view = {"id": subscription.id, "url": subscription.url, "event_types": subscription.event_types,
            "unit": subscription.unit.name if subscription.unit else None,
            "partner": subscription.partner.slug if subscription.partner else None,
            "active": subscription.active, "previous_valid_until": subscription.previous_valid_until,
            "created_at": subscription.created_at}
    return {**view, "secret": secret} if secret else view


def delivery_view(delivery: Delivery, detail: bool = False) -> dict:
    log = delivery.attempt_log
    view = {"id": delivery.id, "key": delivery.key, "subscription": delivery.subscription_id,
            "event_type": delivery.event_type, "appeal": delivery.payload["appeal"]["number"],
            "state": delivery.state, "attempts": delivery.attempts, "attempt_limit": delivery.attempt_limit,
            "next_attempt_at": delivery.next_attempt_at if delivery.state == "pending" else None,
            "delivered_at": delivery.delivered_at, "created_at": delivery.created_at,
            "last_error": log[-1].error if log else None}
    if detail:
        view.update(payload=delivery.payload, attempt_log=log)
    return view


def _partner(slug: str) -> Partner:
    partner = db.session.scalar(select(Partner).where(Partner.slug == slug, Partner.city_id == g.user.city_id))
    if partner is None:
        abort(404, message=f"未找到合作平台「{slug}」")
    return partner


def _subscription(subscription_id: int) -> Subscription:
    subscription = db.session.get(Subscription, subscription_id)
    if subscription is None or subscription.city_id != g.user.city_id:
        abort(404, message="未找到该订阅")
    return subscription


def _rotate(holder, args) -> dict:
    hours = args["overlap_hours"]
    overlap = timedelta(hours=setting("WEBHOOK_SECRET_OVERLAP_HOURS") if hours is None else hours)
    secret = rotate(holder, overlap)
    db.session.commit()
    return {"secret": secret, "previous_valid_until": holder.previous_valid_until}


@blp.route("/partners", methods=["GET"])
@blp.response(200, PartnerOutSchema(many=True))
@require_roles(Role.admin)
def list_partners():
    """合作平台列表"""
    partners = db.session.scalars(select(Partner).where(Partner.city_id == g.user.city_id).order_by(Partner.id))
    return [partner_view(p) for p in partners]


@blp.route("/partners", methods=["POST"])
@blp.arguments(PartnerInSchema)
@blp.response(201, PartnerOutSchema, description="已创建；密钥只显示这一次")
@require_roles(Role.admin)
def create_partner(args):
    """新建合作平台（同时创建其 partner 角色用户和签名密钥）"""
    try:
        partner = add_partner(g.user.city, args)
    except InputError as error:
        abort_invalid(error.errors)
    db.session.commit()
    return partner_view(partner, partner.secret), 201


@blp.route("/partners/<string:slug>", methods=["GET"])
@blp.response(200, PartnerOutSchema)
@require_roles(Role.admin)
def get_partner(slug):
    """合作平台详情"""
    return partner_view(_partner(slug))


@blp.route("/partners/<string:slug>", methods=["PATCH"])
@blp.arguments(PartnerPatchSchema)
@blp.response(200, PartnerOutSchema)
@require_roles(Role.admin)
def update_partner(args, slug):
    """修改名称、字段对应关系，或停用/启用（active）"""
    partner = _partner(slug)
    for name, value in args.items():
        setattr(partner, name, value)
    db.session.commit()
    return partner_view(partner)


@blp.route("/partners/<string:slug>/secret", methods=["POST"])
@blp.arguments(RotateSchema)
@blp.response(200, SecretOutSchema)
@require_roles(Role.admin)
def rotate_partner_secret(args, slug):
    """更换签名密钥；旧密钥在重叠期内仍然有效"""
    return _rotate(_partner(slug), args)


@blp.route("/subscriptions", methods=["GET"])
@blp.response(200, SubscriptionOutSchema(many=True))
@require_roles(Role.admin)
def list_subscriptions():
    """推送订阅列表"""
    subscriptions = db.session.scalars(
        select(Subscription).where(Subscription.city_id == g.user.city_id).order_by(Subscription.id))
    return [subscription_view(s) for s in subscriptions]


@blp.route("/subscriptions", methods=["POST"])
@blp.arguments(SubscriptionInSchema)
@blp.response(201, SubscriptionOutSchema, description="已创建；密钥只显示这一次")
@require_roles(Role.admin)
def create_subscription(args):
    """新建推送订阅（单位或合作平台）"""
    try:
        subscription = add_subscription(g.user.city_id, args)
    except InputError as error:
        abort_invalid(error.errors)
    db.session.commit()
    return subscription_view(subscription, subscription.secret), 201


@blp.route("/subscriptions/<int:subscription_id>", methods=["GET"])
@blp.response(200, SubscriptionOutSchema)
@require_roles(Role.admin)
def get_subscription(subscription_id):
    """推送订阅详情"""
    return subscription_view(_subscription(subscription_id))


@blp.route("/subscriptions/<int:subscription_id>", methods=["PATCH"])
@blp.arguments(SubscriptionPatchSchema)
@blp.response(200, SubscriptionOutSchema)
@require_roles(Role.admin)
def update_subscription(args, subscription_id):
    """修改接收地址、事件类型，或停用/启用（active）"""
    subscription = _subscription(subscription_id)
    for name, value in args.items():
        setattr(subscription, name, value)
    db.session.commit()
    return subscription_view(subscription)


@blp.route("/subscriptions/<int:subscription_id>", methods=["DELETE"])
@blp.response(204)
@require_roles(Role.admin)
def delete_subscription(subscription_id):
    """删除没有推送记录的订阅（已有记录的请停用，以保留推送日志）"""
    subscription = _subscription(subscription_id)
    if not remove_subscription(subscription):
        abort(409, message="该订阅已有推送记录，不能删除；请改为停用（active=false）")
    db.session.commit()


@blp.route("/subscriptions/<int:subscription_id>/secret", methods=["POST"])
@blp.arguments(RotateSchema)
@blp.response(200, SecretOutSchema)
@require_roles(Role.admin)
def rotate_subscription_secret(args, subscription_id):
    """更换推送签名密钥；重叠期内每次推送同时带新旧两个签名"""
    return _rotate(_subscription(subscription_id), args)


@blp.route("/deliveries", methods=["GET"])
@blp.arguments(DeliveryQuerySchema, location="query")
@blp.response(200, DeliveryPageSchema)
@blp.paginate()
@require_roles(Role.admin)
def list_deliveries(args, pagination_parameters):
    """推送记录（可按状态、事件类型、订阅、受理编号筛选）"""
    query = select(Delivery).join(Subscription).where(Subscription.city_id == g.user.city_id)
    for name, column in (("state", Delivery.state), ("event_type", Delivery.event_type),
                         ("subscription", Delivery.subscription_id)):
        if name in args:
            query = query.where(column == args[name])
    if "appeal" in args:
        query = query.join(Appeal, Appeal.id == Delivery.appeal_id).where(Appeal.number == args["appeal"])
    page = pagination_parameters
    items = paged(query, page, Delivery.id.desc())
    return page_body(page, [delivery_view(d) for d in items])


def _delivery(delivery_id: int) -> Delivery:
    found = db.session.get(Delivery, delivery_id)
    if found is None or found.subscription.city_id != g.user.city_id:
        abort(404, message="未找到该推送记录")
    return found


@blp.route("/deliveries/<int:delivery_id>", methods=["GET"])
@blp.response(200, DeliveryOutSchema)
@require_roles(Role.admin)
def get_delivery(delivery_id):
    """推送详情：内容与每次尝试的状态码、耗时、错误"""
    return delivery_view(_delivery(delivery_id), detail=True)


@blp.route("/deliveries/<int:delivery_id>/redeliver", methods=["POST"])
@blp.response(202, DeliveryOutSchema, description="已重新排队")
@require_roles(Role.admin)
def redeliver(delivery_id):
    """重新推送一条已进入死信的记录（同一幂等键，重新计算重试次数）"""
    found = _delivery(delivery_id)
    if found.state != "dead":
        abort(409, message="只有已进入死信（dead）的推送可以手动重新推送")
    deliveries.redeliver(found)
    db.session.commit()
    return delivery_view(found, detail=True), 202
