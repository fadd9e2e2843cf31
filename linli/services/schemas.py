"""Request and response shapes of /api/v1/services. Every input is bounded (from the model's
column where there is one)."""

from datetime import date, datetime, time
from typing import Literal

from ninja import Schema

from linli.core.schema_types import Bool, Date, DateTime, Id, InputSchema, Int, Text, Time, column, optional
from linli.services.models import (
    HealthLink,
    Provider,
    RecommendationRule,
    ServiceBooking,
    ServiceOffering,
    ServiceSlot,
    Venue,
    VenueBooking,
)

FEN_MAX = 100_000_000  # one million yuan: far above any service or deposit


# --- in ------------------------------------------------------------------------------------------


class ProviderIn(InputSchema):
    organization_id: Id


class LicenceIn(InputSchema):
    licence_number: column(Provider, "licence_number", min_length=1)
    licence_kind: column(Provider, "licence_kind", min_length=1)
    valid_until: Date


class ProviderStaffIn(InputSchema):
    user_id: Id


class ProviderLoginIn(InputSchema):
    phone: Text(20, min_length=1)  # the account's sign-in number; checked as a mainland mobile


class OfferingIn(InputSchema):
    category: column(ServiceOffering, "category")
    title: column(ServiceOffering, "title", min_length=1)
    description: column(ServiceOffering, "description") = ""
    price_fen: Int(0, FEN_MAX) | None = None  # null: quoted on site
    duration_minutes: Int(15, 720) = 60


class OfferingPatch(InputSchema):
    category: column(ServiceOffering, "category") = optional()
    title: column(ServiceOffering, "title", min_length=1) = optional()
    description: column(ServiceOffering, "description") = optional()
    price_fen: Int(0, FEN_MAX) | None = optional()  # null: quoted on site
    duration_minutes: Int(15, 720) = optional()


class SlotIn(InputSchema):
    weekday: Int(0, 6)
    start_time: column(ServiceSlot, "start_time")
    capacity: Int(1, 1000) = 1


class SlotPatch(InputSchema):
    weekday: Int(0, 6) = optional()
    start_time: column(ServiceSlot, "start_time") = optional()
    capacity: Int(1, 1000) = optional()


class BookingIn(InputSchema):
    slot_id: Id
    date: Date
    house_id: Id
    note: column(ServiceBooking, "note") = ""


class BookForIn(BookingIn):
    person_id: Id


class CompleteIn(InputSchema):
    fee_fen: Int(0, FEN_MAX)
    paid_on_site: Bool = True


class RatingIn(InputSchema):
    stars: Int(1, 5)
    comment: column(ServiceBooking, "rating_comment") = ""


class VenueIn(InputSchema):
    name: column(Venue, "name", min_length=1)
    kind: column(Venue, "kind")
    opens_at: Time
    closes_at: Time
    slot_minutes: Int(15, 240) = 60
    max_per_week: Int(1, 50) = 2
    owners_only: Bool = False
    deposit_fen: Int(0, FEN_MAX) = 0
    rules: column(Venue, "rules") = ""


class VenuePatch(InputSchema):
    name: column(Venue, "name", min_length=1) = optional()
    kind: column(Venue, "kind") = optional()
    opens_at: Time = optional()
    closes_at: Time = optional()
    slot_minutes: Int(15, 240) = optional()
    max_per_week: Int(1, 50) = optional()
    owners_only: Bool = optional()
    deposit_fen: Int(0, FEN_MAX) = optional()
    rules: column(Venue, "rules") = optional()


class VenueBookingIn(InputSchema):
    house_id: Id
    starts_at: DateTime
    slots: Int(1, 16) = 1
    purpose: column(VenueBooking, "purpose") = ""


class DepositIn(InputSchema):
    step: Literal["hold", "return"]


class HealthLinkIn(InputSchema):
    name: column(HealthLink, "name", min_length=1)
    url: column(HealthLink, "url", min_length=1)
    note: column(HealthLink, "note") = ""
    order: Int(0, 1000) = 0


class RuleIn(InputSchema):
    condition: column(RecommendationRule, "condition")
    category: column(RecommendationRule, "category")
    reason: column(RecommendationRule, "reason", min_length=1)


class RulePatch(InputSchema):
    condition: column(RecommendationRule, "condition") = optional()
    category: column(RecommendationRule, "category") = optional()
    reason: column(RecommendationRule, "reason", min_length=1) = optional()
    active: Bool = optional()


class HouseIn(InputSchema):
    house_id: Id


# --- out -----------------------------------------------------------------------------------------


class ProviderOut(Schema):
    id: int
    community_id: int
    organization_id: int
    name: str
    licence_number: str
    licence_kind: str
    licence_valid_until: date | None
    vetted_at: datetime | None
    vetted: bool


class ProviderLoginOut(Schema):
    provider_id: int
    user_id: int
    name: str  # masked
    phone: str  # masked


class SlotOut(Schema):
    id: int
    offering_id: int
    weekday: int
    start_time: time
    capacity: int
    active: bool  # False: retired, takes no new bookings


class OfferingOut(Schema):
    id: int
    community_id: int
    provider_id: int
    provider_name: str
    category: str
    title: str
    description: str
    price_fen: int | None  # null: quoted on site
    duration_minutes: int
    active: bool
    slots: list[SlotOut]


class BookingOut(Schema):
    id: int
    community_id: int
    offering_id: int
    offering_title: str
    provider_name: str
    house_id: int
    house_label: str
    person_name: str  # masked for staff and providers
    on_behalf: bool
    starts_at: datetime
    ends_at: datetime
    note: str
    status: str
    fee_fen: int | None
    paid_on_site: bool
    rating: int | None
    rating_comment: str


class VenueOut(Schema):
    id: int
    community_id: int
    name: str
    kind: str
    opens_at: time
    closes_at: time
    slot_minutes: int
    max_per_week: int
    owners_only: bool
    deposit_fen: int
    rules: str
    active: bool


class TakenOut(Schema):
    starts_at: datetime
    ends_at: datetime


class VenueBookingOut(Schema):
    id: int
    venue_id: int
    venue_name: str
    house_id: int
    house_label: str
    starts_at: datetime
    ends_at: datetime
    purpose: str
    status: str
    deposit_fen: int
    deposit_status: str


class HealthLinkOut(Schema):
    id: int
    community_id: int
    name: str
    url: str
    note: str
    order: int


class RuleOut(Schema):
    id: int
    community_id: int
    condition: str
    category: str
    reason: str
    active: bool


class RecommendationOut(Schema):
    rule_id: int
    category: str
    category_label: str
    reason: str  # shown as is, e.g. 因为您家有6岁以下儿童
    offering_ids: list[int]


class ConsentOut(Schema):
    house_id: int
    opted_in: bool
    given_at: datetime | None
