"""The app's models, one module per area: requests and their setup, patrols and plans, Open311."""

from linli.workorders.models.open311 import ApiKey
from linli.workorders.models.patrols import (
    CheckIn,
    Checkpoint,
    MaintenancePlan,
    PatrolRoute,
    PatrolRun,
    PatrolSchedule,
    Playbook,
    PlaybookTask,
)
from linli.workorders.models.requests import (
    Attachment,
    Category,
    ChargeLine,
    Handler,
    PriceItem,
    Request,
    RequestEvent,
    Settings,
    SlaPolicy,
    Team,
)

__all__ = [
    "ApiKey",
    "Attachment",
    "Category",
    "ChargeLine",
    "CheckIn",
    "Checkpoint",
    "Handler",
    "MaintenancePlan",
    "PatrolRoute",
    "PatrolRun",
    "PatrolSchedule",
    "Playbook",
    "PlaybookTask",
    "PriceItem",
    "Request",
    "RequestEvent",
    "Settings",
    "SlaPolicy",
    "Team",
]
