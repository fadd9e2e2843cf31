from datetime import datetime

from ninja import Schema

from linli.core.models import AuditEntry, Membership
from linli.core.schema_types import Cursor, Id, InputSchema, Int, column


class HealthCheckOut(Schema):
    """One dependency: ok, degraded or down, with its figure where it has one."""

    status: str
    latency_ms: float | None = None
    oldest_age_seconds: float | None = None
    lag_seconds: float | None = None


class HealthOut(Schema):
    status: str  # ok, degraded (200) or down (503)
    version: str
    database: str  # the vendor: sqlite or postgresql
    time: datetime
    # database, task_queue, scheduler, mqtt (when a broker is configured), var_dir
    checks: dict[str, HealthCheckOut]


class MembershipIn(InputSchema):
    user_id: Id
    role: column(Membership, "role")
    building_id: Id | None = None
    grid_id: Id | None = None
    valid_until: column(Membership, "valid_until") | None = None


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


class PageQuery(InputSchema):
    """The query string of every keyset-paged list: a cursor and a bounded page size."""

    cursor: Cursor | None = None
    limit: Int(1, 200) = 50


class AuditFilter(PageQuery):
    object_type: column(AuditEntry, "object_type") | None = None
    object_id: column(AuditEntry, "object_id") | None = None
