"""Request and response shapes of the points API; limits from the columns."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema

from linli.core.schema_types import Bool, Id, InputSchema, Int, Text, column, optional
from linli.core.schemas import PageQuery
from linli.engage.models import CatalogueItem, EarningRule, PointsEntry, PointsPolicy, VolunteerLog


class PointsPolicyIn(InputSchema):
    expiry: column(PointsPolicy, "expiry")
    appeal_days: Int(1, 90) = 7


class PointsPolicyOut(Schema):
    community_id: int
    expiry: str
    appeal_days: int


class PointsRuleIn(InputSchema):
    code: column(EarningRule, "code", min_length=1, pattern=r"^[a-z][a-z0-9_-]*$")
    kind: column(EarningRule, "kind")
    name: column(EarningRule, "name", min_length=1)
    points: Int(1, 10_000)
    daily_limit: Int(0, 100) = 0


class PointsRulePatch(InputSchema):
    name: column(EarningRule, "name", min_length=1) = optional()
    points: Int(1, 10_000) = optional()
    daily_limit: Int(0, 100) = optional()
    active: Bool = optional()


class PointsRuleOut(Schema):
    id: int
    code: str
    kind: str
    name: str
    points: int
    daily_limit: int
    active: bool


class PointsHouseOut(Schema):
    house_id: int
    house: str
    balance: int


class PointsEntryOut(Schema):
    id: int
    kind: str
    amount: int
    balance_after: int
    reason: str
    text: str
    on_behalf: bool
    source_ref: str
    expires_at: datetime | None
    created_at: datetime


class PointsEntryPage(Schema):
    items: list[PointsEntryOut]
    next_cursor: int | None
    balance: int


class PointsAdjustIn(InputSchema):
    amount: Int(-100_000, 100_000)
    text: column(PointsEntry, "text", min_length=1)


class CatalogueItemIn(InputSchema):
    name: column(CatalogueItem, "name", min_length=1)
    description: column(CatalogueItem, "description") = ""
    price: Int(1, 1_000_000)
    stock: Int(0, 100_000) = 0


class CatalogueItemPatch(InputSchema):
    name: column(CatalogueItem, "name", min_length=1) = optional()
    description: column(CatalogueItem, "description") = optional()
    price: Int(1, 1_000_000) = optional()
    active: Bool = optional()


class StockChangeIn(InputSchema):
    change: Int(-100_000, 100_000)


class CatalogueItemOut(Schema):
    id: int
    name: str
    description: str
    price: int
    stock: int
    active: bool


class RedeemIn(InputSchema):
    house_id: Id


class CancelRedemptionIn(InputSchema):
    reason: Text(200) = ""


class RedemptionFilter(PageQuery):
    status: Text(10) = ""


class RedemptionOut(Schema):
    id: int
    item_id: int
    item: str
    house_id: int
    house: str
    points: int
    status: str
    on_behalf: bool
    handled_at: datetime | None
    cancel_reason: str
    created_at: datetime


class VolunteerIn(InputSchema):
    house_id: Id
    day: column(VolunteerLog, "day")
    hours: column(VolunteerLog, "hours", gt=Decimal("0"))
    description: column(VolunteerLog, "description", min_length=1)


class VolunteerRejectIn(InputSchema):
    note: column(VolunteerLog, "note", min_length=1)


class VolunteerOut(Schema):
    id: int
    house_id: int
    house: str
    day: date
    hours: Decimal
    description: str
    status: str
    note: str
    points: int
    created_at: datetime
