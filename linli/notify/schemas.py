from datetime import datetime

from ninja import Schema

from linli.core.schema_types import Cursor, InputSchema, Int


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
