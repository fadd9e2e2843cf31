"""Request and response shapes of the parking API."""

from datetime import date, datetime, time
from typing import Literal

from ninja import Schema
from pydantic import Field

from linli.core.schema_types import DateTime, Id, InputSchema, Int, Text, column
from linli.parking.models import OfferWindow, ParkingPass, SharedBooking, SharedOffer
from linli.parking.services.offers import MAX_SPACES, MAX_WINDOWS


class WindowIn(InputSchema):
    weekdays: list[Int(0, 6)] = Field(min_length=1, max_length=7)  # 0 = Monday … 6 = Sunday
    start: column(OfferWindow, "start")
    end: column(OfferWindow, "end")  # at or before start: into the next day


class OfferIn(InputSchema):
    community_id: Id
    title: column(SharedOffer, "title", min_length=1)
    organization_id: Id | None = None
    person_id: Id | None = None
    space_ids: list[Id] = Field(min_length=1, max_length=MAX_SPACES)
    windows: list[WindowIn] = Field(min_length=1, max_length=MAX_WINDOWS)
    price_fen: Int(0, 1_000_000)
    overstay_fen: Int(0, 1_000_000)
    overstay_grace_minutes: Int(0, 240) = 15
    cancel_free_hours: Int(0, 168) = 2
    cancel_fee_percent: Int(0, 100) = 50
    open_to_public: bool = False


class BookingIn(InputSchema):
    start_at: column(SharedBooking, "start_at")
    end_at: column(SharedBooking, "end_at")
    plate: column(SharedBooking, "plate", min_length=1)


class BookingOrderIn(InputSchema):
    channel: Text(20)
    # Where the payer is: "qr" to scan, "wap" for a phone's browser; by the User-Agent if not given.
    scene: Literal["qr", "wap"] | None = None


class BookingOrderOut(Schema):
    out_trade_no: str
    amount_fen: int
    kind: str
    code_url: str = ""
    redirect_url: str = ""


class RangeIn(InputSchema):
    """A time range of a search or a report; left out, the API picks one (see api.py)."""

    since: DateTime | None = None
    until: DateTime | None = None


class WindowOut(Schema):
    weekdays: list[int]
    start: time
    end: time


class OfferOut(Schema):
    id: int
    community_id: int
    title: str
    offered_by: str  # the organisation's name, or the person's masked
    windows: list[WindowOut]
    spaces: int
    price_fen: int
    overstay_fen: int
    overstay_grace_minutes: int
    cancel_free_hours: int
    cancel_fee_percent: int
    open_to_public: bool
    status: str


class SearchOut(Schema):
    offer: OfferOut
    free: int


class SlotOut(Schema):
    start: datetime
    end: datetime
    free: int


class BookingOut(Schema):
    id: int
    offer_id: int
    offer_title: str
    space: str
    start_at: datetime
    end_at: datetime
    plate: str  # masked for staff and the offering party
    status: str
    fee_fen: int
    cancel_fee_fen: int
    refund_fen: int
    entered_at: datetime | None
    exited_at: datetime | None
    overstay_fen: int
    pay_by: datetime | None  # an outside driver's booking: pay online by then, or it lapses


class ReportOut(Schema):
    offer_id: int
    spaces: int
    bookings: int
    offered_hours: float
    booked_hours: float
    occupancy: float
    income_fen: int


class SharedUseOut(Schema):
    offers: int
    offered_hours: float
    booked_hours: float
    rate: float


class PassIn(InputSchema):
    house_id: Id
    person_id: Id
    plate: column(ParkingPass, "plate", min_length=1)
    period: column(ParkingPass, "period")
    valid_from: column(ParkingPass, "valid_from")
    fee_fen: Int(0, 10_000_000)
    space_id: Id | None = None


class PassOut(Schema):
    id: int
    community_id: int
    house_id: int
    space: str | None
    plate: str  # masked for staff
    period: str
    valid_from: date
    valid_to: date
    fee_fen: int
    status: str
    paid_at: datetime | None
