"""Request and response shapes of the deliberation API; limits come from the model columns."""

from datetime import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from linli.core.schema_types import InputSchema, Int, Text, column
from linli.engage.models import Comment, Proposal, Report


class ProposalIn(InputSchema):
    title: column(Proposal, "title", min_length=1)
    body: column(Proposal, "body", min_length=1)


class ProposalCommentIn(InputSchema):
    body: column(Comment, "body", min_length=1)


class ProposalReportIn(InputSchema):
    reason: column(Report, "reason", min_length=1)


class ProposalReasonIn(InputSchema):
    reason: column(Proposal, "hidden_reason", min_length=1)


class DeliberationSettingsIn(InputSchema):
    backing_share_bp: Int(1, 10000)
    answer_days: Int(1, 365)
    banned_words: list[Text(20, min_length=1)] = Field(default_factory=list, max_length=200)


class DeliberationSettingsOut(Schema):
    backing_share_bp: int
    answer_days: int
    banned_words: list[str]


class ProposalCommentOut(Schema):
    id: int
    author: str
    body: str
    answerer: str
    hidden: bool
    hidden_reason: str
    created_at: datetime


class ProposalOut(Schema):
    id: int
    title: str
    body: str
    author: str
    status: str
    hidden_reason: str
    backers: int
    backed_area: Decimal
    backed_by_me: bool = False
    agenda_at: datetime | None
    answer_due: datetime | None
    answered_at: datetime | None
    overdue: bool = False
    created_at: datetime


class ProposalDetailOut(ProposalOut):
    backed_share: float
    needed_share: float
    comments: list[ProposalCommentOut]


class ProposalReportOut(Schema):
    id: int
    proposal_id: int
    comment_id: int | None
    reason: str
    content: str
    created_at: datetime
