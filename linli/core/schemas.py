from datetime import datetime

from ninja import Field, Schema


class HealthOut(Schema):
    status: str
    version: str
    database: str
    time: datetime


class MembershipIn(Schema):
    user_id: int
    role: str
    building_id: int | None = None
    grid_id: int | None = None
    valid_until: str | None = None


class MembershipOut(Schema):
    id: int
    user_id: int
    community_id: int
    role: str
    building_id: int | None
    grid_id: int | None
    updated_at: datetime


class AuditOut(Schema):
    id: int
    at: datetime
    actor_label: str
    on_behalf_of: str
    action: str
    object_type: str
    object_id: str
    before: dict | None
    after: dict | None
    request_id: str
    hash: str


class PiiAccessOut(Schema):
    id: int
    at: datetime
    actor_id: int
    person_id: int
    fields: str
    purpose: str
    request_id: str


class AuditFilter(Schema):
    cursor: int | None = None
    limit: int = Field(50, ge=1, le=200)
    object_type: str | None = None
    object_id: str | None = None
