"""Request and response shapes of the patrol, plan and playbook API; limits from the columns."""

from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from linli.core.schema_types import Bool, Date, Id, InputSchema, Int, Text, column
from linli.core.schemas import PageQuery
from linli.workorders.models import Checkpoint, MaintenancePlan, PatrolRoute, PatrolSchedule

TimeOfDay = Text(5, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


class CheckpointIn(InputSchema):
    name: column(Checkpoint, "name", min_length=1)
    tag_id: column(Checkpoint, "tag_id", min_length=1)
    building_id: Id | None = None
    plan_x: Int(0, 1000) | None = None
    plan_y: Int(0, 1000) | None = None


class RouteIn(InputSchema):
    name: column(PatrolRoute, "name", min_length=1)
    team_id: Id
    report_category_id: Id | None = None
    checkpoints: list[CheckpointIn] = Field(min_length=1, max_length=100)


class ScheduleIn(InputSchema):
    times: list[TimeOfDay] = Field(min_length=1, max_length=24)
    weekdays: column(PatrolSchedule, "weekdays", pattern=r"^[0-6]*$") = ""
    window_minutes: Int(5, 24 * 60) = 60


class CheckInIn(InputSchema):
    tag_id: column(Checkpoint, "tag_id", min_length=1)
    note: Text(300, multiline=True) = ""
    abnormal: Bool = False


class PlanIn(InputSchema):
    name: column(MaintenancePlan, "name", min_length=1)
    category_id: Id
    every_days: Int(1, 3660)
    next_due: Date
    building_id: Id | None = None
    description: column(MaintenancePlan, "description", multiline=True) = ""


class RunFilter(PageQuery):
    missed_only: bool = False  # a query string: "true" or "false"


class TriggerIn(InputSchema):
    building_id: Id | None = None
    note: Text(300, multiline=True) = ""


class CheckpointOut(Schema):
    id: int
    order: int
    name: str
    tag_id: str
    building_id: int | None
    plan_x: int | None
    plan_y: int | None


class ScheduleOut(Schema):
    id: int
    times: list[str]
    weekdays: str
    window_minutes: int


class RouteOut(Schema):
    id: int
    name: str
    team_id: int
    report_category_id: int | None
    active: bool
    checkpoints: list[CheckpointOut]
    schedules: list[ScheduleOut]


class MissedOut(Schema):
    id: int
    name: str


class RunOut(Schema):
    id: int
    route_id: int
    route: str
    due_at: datetime
    window_end: datetime
    status: str
    assignee_id: int | None
    started_at: datetime | None
    finished_at: datetime | None
    checked: int
    checkpoints: int
    missed_checkpoints: list[MissedOut]


class CheckInOut(Schema):
    id: int
    run_id: int
    checkpoint_id: int
    checkpoint: str
    at: datetime
    note: str
    abnormal: bool
    has_photo: bool
    request_id: int | None
    run_status: str


class PlanOut(Schema):
    id: int
    name: str
    category_id: int
    building_id: int | None
    every_days: int
    next_due: date
    active: bool
    description: str


class TaskOut(Schema):
    order: int
    title: str
    category_id: int
    priority: str


class PlaybookOut(Schema):
    id: int
    code: str
    name: str
    category_id: int
    active: bool
    tasks: list[TaskOut]


class TriggeredOut(Schema):
    id: int  # the incident
    number: str
    status: str
    tasks: list[int]  # its child requests
