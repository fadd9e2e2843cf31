"""Request and response shapes of the notices API; limits come from the model columns."""

from datetime import datetime

from ninja import Schema

from linli.core.schema_types import Bool, DateTime, Id, InputSchema, column
from linli.engage.models import Notice, NoticeHousehold


class NoticeTargetIn(InputSchema):
    building_id: Id | None = None
    unit_id: Id | None = None
    audience: column(Notice, "audience") = "residents"
    care_kind: column(Notice, "care_kind") = ""


class NoticeIn(NoticeTargetIn):
    title: column(Notice, "title", min_length=1)
    body: column(Notice, "body", min_length=1)
    must_confirm: Bool = False
    urgent: Bool = False
    speakers: Bool = False
    pinned: Bool = False


class NoticePublishIn(InputSchema):
    publish_at: DateTime | None = None


class NoticePinIn(InputSchema):
    pinned: Bool


class NoticeToldIn(InputSchema):
    how: column(NoticeHousehold, "told_how", min_length=1)
    note: column(NoticeHousehold, "told_note") = ""


class NoticeReachOut(Schema):
    households: int
    accounts: int


class NoticeAttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str


class NoticeOut(Schema):
    id: int
    title: str
    body: str
    building_id: int | None
    unit_id: int | None
    audience: str
    care_kind: str
    must_confirm: bool
    urgent: bool
    speakers: bool
    pinned: bool
    status: str
    publish_at: datetime | None
    published_at: datetime | None
    households: int


class NoticeRateOut(Schema):
    building_id: int | None = None
    building: str = ""
    households: int
    read: int
    confirmed: int
    told: int
    reached: int
    rate: float


class NoticeStatsOut(Schema):
    notice: NoticeOut
    total: NoticeRateOut
    buildings: list[NoticeRateOut]


class NoticeHouseholdOut(Schema):
    house_id: int
    house: str
    building_id: int
    residents: list[str]  # masked names and phones, for the front desk to call
    read_at: datetime | None
    confirmed_at: datetime | None
    told_at: datetime | None
    told_how: str
    told_by: str


class NoticeHouseholdPageOut(Schema):
    items: list[NoticeHouseholdOut]
    next_cursor: int | None


class MyNoticeOut(Schema):
    id: int
    title: str
    body: str
    must_confirm: bool
    urgent: bool
    pinned: bool
    published_at: datetime | None
    read: bool
    confirmed: bool
    attachments: list[NoticeAttachmentOut] = []


class MyNoticesOut(Schema):
    unread: int
    items: list[MyNoticeOut]
