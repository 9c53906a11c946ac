"""Creating partners and subscriptions, and deleting an unused subscription: one set of checks for
the admin API (webhooks.admin) and the admin pages (web.webhooks)."""
from sqlalchemy import select

from accounts.users import create_user
from kernel.db import db
from models import Delivery, Partner, Role, Subscription, Unit
from webhooks.signing import new_secret


class InputError(Exception):
    """Input the schemas accept but this city cannot take; ``errors`` as {field: [message]}."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.errors = {field: [message]}


def add_partner(city, args: dict) -> Partner:
    """A partner (loaded by PartnerInSchema) with its partner-role user and signing secret; flushed."""
    if db.session.scalar(select(Partner.id).where(Partner.slug == args["slug"])):
        raise InputError("slug", f"标识「{args['slug']}」已被使用")
    try:
        user = create_user(f"partner-{args['slug']}", Role.partner, city, display_name=args["name"])
    except ValueError as error:
        raise InputError("slug", str(error)) from None
    partner = Partner(city_id=city.id, user=user, slug=args["slug"], name=args["name"], secret=new_secret(),
                      mapping=args["mapping"])
    db.session.add(partner)
    db.session.flush()
    return partner


def add_subscription(city_id: int, args: dict) -> Subscription:
    """A subscription (loaded by SubscriptionInSchema) of a unit or partner of this city; flushed."""
    subscription = Subscription(city_id=city_id, url=args["url"], event_types=args["event_types"],
                                secret=new_secret())
    if args["unit"] is not None:
        subscription.unit = db.session.scalar(select(Unit).where(Unit.city_id == city_id, Unit.name == args["unit"]))
        if subscription.unit is None:
            raise InputError("unit", f"本市没有单位「{args['unit']}」")
    else:
        subscription.partner = db.session.scalar(
            select(Partner).where(Partner.city_id == city_id, Partner.slug == args["partner"]))
        if subscription.partner is None:
            raise InputError("partner", f"没有合作平台「{args['partner']}」")
    db.session.add(subscription)
    db.session.flush()
    return subscription


def remove_subscription(subscription: Subscription) -> bool:
    """Delete a subscription without deliveries; False (kept) when it has some: its log stays."""
    if db.session.scalar(select(Delivery.id).where(Delivery.subscription_id == subscription.id).limit(1)):
        return False
    db.session.delete(subscription)
    return True
