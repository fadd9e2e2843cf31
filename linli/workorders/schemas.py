"""Request and response shapes of the work-order API; limits come from the model columns."""

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field, field_validator

from linli.core.schema_types import Bool, Date, Id, InputSchema, Int, Text, column
from linli.core.schemas import PageQuery
from linli.workorders.choices import Status
from linli.workorders.models import Category, Handler, PriceItem, Request, Settings, SlaPolicy, Team
from linli.workorders.services.flow import TRANSITIONS

Action = Literal[tuple(TRANSITIONS)]  # type: ignore[valid-type]
Answers = dict[Text(40), Text(200)]


class ReportIn(InputSchema):
    community_id: Id
    category_id: Id
    description: Text(1000, min_length=1, multiline=True)
    house_id: Id | None = None
    building_id: Id | None = None
    place: column(Request, "place") = ""
    plan_x: Int(0, 1000) | None = None
    plan_y: Int(0, 1000) | None = None
    preferred_time: column(Request, "preferred_time") = ""
    answers: Answers = Field(default_factory=dict, max_length=20)
    contact_phone: Text(20, pattern=r"^[0-9+\-]*$") = ""


class StaffReportIn(InputSchema):
    """A request entered by staff: for a resident (代报) or of their own finding, or an incident."""

    category_id: Id
    description: Text(1000, min_length=1, multiline=True)
    priority: column(Request, "priority") | None = None
    house_id: Id | None = None
    building_id: Id | None = None
    place: column(Request, "place") = ""
    contact_name: Text(40) = ""
    contact_phone: Text(20, pattern=r"^[0-9+\-]*$") = ""
    answers: Answers = Field(default_factory=dict, max_length=20)


class ActionIn(InputSchema):
    reason: Text(300, multiline=True) = ""
    handler_id: Id | None = None  # assign: to whom
    team_id: Id | None = None  # transfer: to which team or department


class RatingIn(InputSchema):
    rating: Int(1, 5)
    tags: list[Text(20)] = Field(default_factory=list, max_length=10)
    comment: Text(200, multiline=True) = ""


class ChargeIn(InputSchema):
    price_item_id: Id
    quantity: Int(1, 99) = 1


class BillIn(InputSchema):
    fee_item_id: Id


class DutyIn(InputSchema):
    on_duty: Bool


class RequestFilter(PageQuery):
    status: Literal[tuple(Status.values)] | None = None  # type: ignore[valid-type]
    open_only: bool = False
    overdue_only: bool = False
    building_id: Id | None = None


class SettingsIn(InputSchema):
    dispatch_mode: column(Settings, "dispatch_mode")
    work_start: column(Settings, "work_start")
    work_end: column(Settings, "work_end")
    reopen_days: column(Settings, "reopen_days")
    auto_close_days: column(Settings, "auto_close_days")
    remind_before_minutes: Int(0, 24 * 60)
    # The community's own days off and working days on top of the national calendar.
    extra_holidays: list[Date] = Field(default_factory=list, max_length=100)
    extra_workdays: list[Date] = Field(default_factory=list, max_length=100)


class TeamIn(InputSchema):
    name: column(Team, "name")
    kind: column(Team, "kind")
    supervisor_id: Id | None = None


class HandlerIn(InputSchema):
    user_id: Id
    skills: list[Text(30, pattern=r"^[\w-]+$")] = Field(default_factory=list, max_length=10)
    grid_id: Id | None = None
    building_id: Id | None = None
    duty_weekdays: column(Handler, "duty_weekdays") = ""


class FormFieldIn(InputSchema):
    key: Text(40, min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    label: Text(40, min_length=1)
    required: Bool = False
    choices: list[Text(40)] = Field(default_factory=list, max_length=20)


class CategoryIn(InputSchema):
    code: column(Category, "code")
    name: column(Category, "name")
    kind: column(Category, "kind")
    description: column(Category, "description") = ""
    skill: column(Category, "skill") = ""
    default_team_id: Id | None = None
    default_priority: column(Category, "default_priority") = "normal"
    public: Bool = True
    form_fields: list[FormFieldIn] = Field(default_factory=list, max_length=20)


class SlaIn(InputSchema):
    priority: column(SlaPolicy, "priority")
    respond_minutes: Int(1, 60 * 24 * 60)
    resolve_minutes: Int(1, 60 * 24 * 60)
    working_time_only: Bool = True


class PriceIn(InputSchema):
    name: column(PriceItem, "name")
    unit: column(PriceItem, "unit") = "次"
    price_fen: Int(1, 10_000_000)


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    description: str
    skill: str
    default_team_id: int | None
    default_priority: str
    public: bool
    form_fields: list


class EventOut(Schema):
    at: datetime
    action: str
    from_status: str
    to_status: str
    note: str
    actor: str


class AttachmentOut(Schema):
    id: int
    stage: str
    content_type: str
    size: int
    latitude: float | None
    longitude: float | None


class RequestOut(Schema):
    id: int
    number: str
    community_id: int
    category_id: int
    category: str
    kind: str
    source: str
    priority: str
    status: str
    status_label: str
    description: str
    answers: dict
    building_id: int | None
    building: str
    house_id: int | None
    house: str
    place: str
    plan_x: int | None
    plan_y: int | None
    preferred_time: str
    contact: str  # masked
    team_id: int | None
    assignee_id: int | None
    hops: int
    respond_due: datetime | None
    resolve_due: datetime | None
    responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    response_overdue: bool
    resolution_overdue: bool
    escalated: bool
    rating: int | None
    rating_tags: list[str]
    reopen_count: int
    charge_fen: int
    bill_id: int | None
    created_at: datetime


class RequestDetailOut(RequestOut):
    timeline: list[EventOut]
    attachments: list[AttachmentOut]
    actions: list[str]


class ContactOut(Schema):
    name: str
    phone: str


class TeamOut(Schema):
    id: int
    name: str
    kind: str
    supervisor_id: int | None


class HandlerOut(Schema):
    id: int
    team_id: int
    user_id: int
    name: str
    skills: list[str]
    grid_id: int | None
    building_id: int | None
    on_duty: bool
    duty_weekdays: str
    open_count: int


class PriceOut(Schema):
    id: int
    name: str
    unit: str
    price_fen: int


class SettingsOut(Schema):
    dispatch_mode: str
    # "08:30": JSON Schema's "time" format wants an offset, which a wall-clock hour has not.
    work_start: str = Field(pattern=r"^\d{2}:\d{2}$")
    work_end: str = Field(pattern=r"^\d{2}:\d{2}$")
    reopen_days: int
    auto_close_days: int
    remind_before_minutes: int
    extra_holidays: list[str]
    extra_workdays: list[str]

    @field_validator("work_start", "work_end", mode="before")
    @classmethod
    def _hours(cls, value):
        return value.strftime("%H:%M") if hasattr(value, "strftime") else value


class BoardOut(Schema):
    building: str
    open: int
    overdue: int
    by_status: dict[str, int]


class SlaSummaryOut(Schema):
    open: int
    response_overdue: int
    resolution_overdue: int
    escalated: int
    resolved: int
    on_time: int
    hops: float | None
    rating: float | None
