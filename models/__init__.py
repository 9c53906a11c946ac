"""All models, importable from one place; each aggregate lives in its own module."""
from models.appeal import (
    Appeal,
    AppealCounter,
    appeal_assisting_units,
)
from models.audit import AuditCheckpoint, AuditCheckpointHead
from models.city import AliasRemoval, City, Unit, UnitAlias
from models.division import DivisionTable, LeadCorrection, Matter, MatterUnit
from models.event import AppealEvent
from models.outbox import OutboxMessage
from models.routing import RouterModel, RoutingExample
from models.sla import AppealClock, CalendarDay, CalendarYear, SlaRuleSet, UnitAssignment
from models.supervision import FollowUp, SupervisionOrder
from models.user import ApiToken, Role, User
from models.webhook import Delivery, DeliveryAttempt, Partner, Subscription

__all__ = [
    "AliasRemoval",
    "ApiToken",
    "Appeal",
    "AppealCounter",
    "AppealClock",
    "AppealEvent",
    "AuditCheckpoint",
    "AuditCheckpointHead",
    "CalendarDay",
    "CalendarYear",
    "City",
    "Delivery",
    "DeliveryAttempt",
    "DivisionTable",
    "FollowUp",
    "LeadCorrection",
    "Matter",
    "MatterUnit",
    "OutboxMessage",
    "Partner",
    "Role",
    "RouterModel",
    "RoutingExample",
    "SlaRuleSet",
    "Subscription",
    "SupervisionOrder",
    "Unit",
    "UnitAlias",
    "UnitAssignment",
    "User",
    "appeal_assisting_units",
]
