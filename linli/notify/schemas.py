from datetime import datetime

from ninja import Field, Schema


class InboxQuery(Schema):
    cursor: int | None = None
    limit: int = Field(20, ge=1, le=100)
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
