"""Request and response shapes of the convention API."""

from datetime import datetime

from ninja import Schema

from linli.core.schema_types import Id, InputSchema, Int, column
from linli.core.schemas import PageQuery
from linli.engage.models import ConventionVersion, Violation


class ConventionIn(InputSchema):
    title: column(ConventionVersion, "title", min_length=1)
    body: column(ConventionVersion, "body", min_length=1)
    changes: column(ConventionVersion, "changes") = ""


class ConventionVersionOut(Schema):
    id: int
    number: int
    title: str
    body: str
    changes: str
    published_at: datetime


class ConventionOut(Schema):
    current: ConventionVersionOut | None
    history: list[ConventionVersionOut]


class ViolationIn(InputSchema):
    house_id: Id
    article: column(Violation, "article", min_length=1)
    note: column(Violation, "note", min_length=1)
    points: Int(0, 10_000)


class AppealIn(InputSchema):
    reason: column(Violation, "appeal_reason", min_length=1)


class AppealDecisionIn(InputSchema):
    decision: column(Violation, "decision")
    note: column(Violation, "decision_note", min_length=1)


class ViolationFilter(PageQuery):
    status: column(Violation, "status") | None = None


class ViolationOut(Schema):
    id: int
    house_id: int
    house: str
    version_number: int
    article: str
    note: str
    points: int
    has_photo: bool
    status: str
    appeal_deadline: datetime
    appeal_reason: str
    appealed_at: datetime | None
    decision: str
    decision_note: str
    decided_at: datetime | None
    deducted: int
    deducted_at: datetime | None
    created_at: datetime
