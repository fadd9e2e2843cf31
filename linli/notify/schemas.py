from datetime import datetime

from ninja import Field, Schema

from linli.core.schema_types import Cursor, InputSchema, Int, column
from linli.notify.models import Preference


class InboxQuery(InputSchema):
    cursor: Cursor | None = None
    limit: Int(1, 100) = 20
    unread: bool = False


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    community_id: int | None
    created_at: datetime
    read_at: datetime | None


class InboxPage(Schema):
    items: list[NotificationOut]
    next_cursor: int | None
    unread_count: int


class MarkedOut(Schema):
    marked: int


class PreferenceIn(InputSchema):
    topic: column(Preference, "topic")
    channel: column(Preference, "channel")
    enabled: column(Preference, "enabled")


class PreferencesIn(InputSchema):
    items: list[PreferenceIn] = Field(max_length=100)


class PreferenceOut(Schema):
    topic: str
    label: str
    staff: bool  # a topic for people who work for a community
    channel: str
    channel_label: str
    enabled: bool


class PreferencesOut(Schema):
    items: list[PreferenceOut]
    always_on: list[str]  # channels no preference turns off (the inbox)
