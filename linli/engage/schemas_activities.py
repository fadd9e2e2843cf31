"""Request and response shapes of the activities, yellow pages and mutual help API."""

from datetime import datetime

from ninja import Schema

from linli.core.schema_types import Bool, Id, InputSchema, Int, Text, column
from linli.engage.models import Activity, DirectoryEntry, HelpPost, HelpReply


class ActivityIn(InputSchema):
    title: column(Activity, "title", min_length=1)
    description: column(Activity, "description") = ""
    place: column(Activity, "place", min_length=1)
    starts_at: column(Activity, "starts_at")
    ends_at: column(Activity, "ends_at")
    capacity: Int(1, 100_000)
    max_party: Int(1, 20) = 4


class ActivityCancelIn(InputSchema):
    reason: column(Activity, "cancel_reason", min_length=1)


class SignUpIn(InputSchema):
    party_size: Int(1, 20) = 1


class CheckInIn(InputSchema):
    code: Text(200, min_length=1)


class ActivityOut(Schema):
    id: int
    community_id: int
    title: str
    description: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    max_party: int
    seats_left: int
    status: str
    cancel_reason: str  # why staff cancelled it ("" while open)


class RegistrationOut(Schema):
    id: int
    activity_id: int
    name: str  # masked for staff
    party_size: int
    status: str
    waiting_position: int | None = None
    checked_in_at: datetime | None


class MyActivityOut(ActivityOut):
    registration: RegistrationOut | None


class CheckinCodeOut(Schema):
    registration_id: int
    code: str


class DirectoryEntryIn(InputSchema):
    name: column(DirectoryEntry, "name", min_length=1)
    category: column(DirectoryEntry, "category")
    phone: column(DirectoryEntry, "phone", min_length=1)
    address: column(DirectoryEntry, "address") = ""
    hours: column(DirectoryEntry, "hours") = ""
    order: Int(0, 1000) = 0


class DirectoryEntryOut(Schema):
    id: int
    community_id: int
    name: str
    category: str
    phone: str
    address: str
    hours: str
    order: int


class HelpPostIn(InputSchema):
    community_id: Id
    kind: column(HelpPost, "kind")
    title: column(HelpPost, "title", min_length=1)
    body: column(HelpPost, "body", min_length=1)


class HelpReplyIn(InputSchema):
    body: column(HelpReply, "body", min_length=1)
    offers_help: Bool = False


class HelpReasonIn(InputSchema):
    reason: Text(200, min_length=1)


class HelpReplyOut(Schema):
    id: int
    author: str
    body: str
    offers_help: bool
    created_at: datetime


class HelpPostOut(Schema):
    id: int
    community_id: int
    kind: str
    title: str
    body: str
    author: str
    status: str
    created_at: datetime
    mine: bool
    reports: int | None = None  # staff only
    hidden_reason: str = ""


class HelpPostDetailOut(HelpPostOut):
    replies: list[HelpReplyOut]
