"""All models, importable from one place; each aggregate lives in its own module."""
from models.appeal import (
    Appeal,
    AppealCounter,
    Channel,
    Status,
    Urgency,
    appeal_assisting_units,
)
from models.city import City, Unit, UnitAlias
from models.division import DivisionTable, Matter, MatterUnit
from models.event import AppealEvent
from models.outbox import OutboxMessage
from models.user import ApiToken, Role, User

__all__ = [
    "ApiToken",
    "Appeal",
    "AppealCounter",
    "AppealEvent",
    "Channel",
    "City",
    "DivisionTable",
    "Matter",
    "MatterUnit",
    "OutboxMessage",
    "Role",
    "Status",
    "Unit",
    "UnitAlias",
    "Urgency",
    "User",
    "appeal_assisting_units",
]
