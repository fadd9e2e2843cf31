"""The counter's API: find a house, see its open bills, take a payment, close the desk; the
receipts; the statement and reports (arrears, collection rate). Thin: validate at the edge,
read through queries, write through services."""

from datetime import date
from typing import Literal

from django.db.models import Count
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import BaseModel, Field

from linli.billing import queries
from linli.billing.choices import COUNTER
from linli.billing.schemas import BillOut, Fen, bill_out
from linli.billing.services import counter as services
from linli.billing.services import reports
from linli.billing.services.receipts import receipt_view
from linli.core import queries as core_queries
from linli.core.http import get_or_404
from linli.core.masking import mask_name
from linli.core.models import Community
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.core.schema_types import Bool, Date, Id, InputSchema, Int, Text
from linli.registry import queries as registry_queries
from linli.registry.models import House

router = Router(tags=["billing-counter"])

IdempotencyKey = Text(64, min_length=8, pattern=r"^[A-Za-z0-9_-]+$")
CounterChannel = Literal[tuple(str(c) for c in COUNTER)]  # type: ignore[valid-type]


def staff_community(request, community_id: int, action: str) -> Community:
    """A community where the user holds `action` as staff (a resident's own billing.view does
    not open the counter or the reports); 404 otherwise."""
    if not scope_of(request.user).may_in_community(action, community_id):
        raise Http404
    return get_or_404(core_queries.staff_communities(request.user), pk=community_id)


# --- find and see ---------------------------------------------------------------------------------


class FindQuery(InputSchema):
    community: Id
    q: Text(40, min_length=1)


class HouseHit(Schema):
    id: int
    label: str


@router.get("/counter/houses", response=list[HouseHit])
def find_houses(request, filters: Query[FindQuery]):
    staff_community(request, filters.community, Action.BILLING_COLLECT)
    houses = queries.counter_houses(request.user, filters.community, filters.q)
    return [{"id": h.pk, "label": h.label} for h in houses]


class CounterHouseOut(Schema):
    id: int
    label: str
    household: list[dict]
    open_bills: list[BillOut]
    owed_fen: int
    prepaid_fen: int


def _house_for_counter(request, house_id: int) -> House:
    try:
        house = queries.counter_house(request.user, house_id)
    except House.DoesNotExist:
        raise Http404 from None
    if not scope_of(request.user).may_in_community(Action.BILLING_COLLECT, house.community_id):
        raise Http404
    return house


@router.get("/counter/houses/{house_id}", response=CounterHouseOut)
def counter_house(request, house_id: int):
    house = _house_for_counter(request, house_id)
    bills = queries.open_bills(request.user, house.pk)
    return {
        "id": house.pk,
        "label": house.label,
        "household": [
            {"person_id": o.person_id, "name": mask_name(o.person.name), "relation": o.relation}
            for o in house.household
        ],
        "open_bills": [bill_out(b) for b in bills],
        "owed_fen": sum(b.owed_fen for b in bills),
        "prepaid_fen": queries.prepaid_fen(request.user, house.pk),
    }


# --- take a payment -------------------------------------------------------------------------------


class CounterPaymentIn(InputSchema):
    channel: CounterChannel
    amount_fen: Fen()
    idempotency_key: IdempotencyKey
    purpose: Literal["bills", "prepay"] = "bills"
    bill_ids: list[Id] = Field(default_factory=list, max_length=100)
    extra_to_prepayment: Bool = False
    on_behalf_of: Id | None = None  # a person living in the house (代办)


class ReceiptRef(Schema):
    id: int
    number: str
    verify_code: str
    pdf_url: str
    verify_url: str


class CounterPaymentOut(Schema):
    id: int
    out_trade_no: str
    amount_fen: int
    channel: str
    status: str
    to_prepayment_fen: int
    replayed: bool
    receipt: ReceiptRef


def receipt_ref(request, receipt) -> dict:
    return {
        "id": receipt.pk,
        "number": receipt.number,
        "verify_code": receipt.verify_code,
        "pdf_url": reverse("billing:receipt_pdf", args=[receipt.pk]),
        "verify_url": request.build_absolute_uri(reverse("billing:verify", args=[receipt.verify_code])),
    }


@router.post("/counter/houses/{house_id}/payments", response={200: CounterPaymentOut, 201: CounterPaymentOut})
def take_payment(request, house_id: int, data: CounterPaymentIn):
    house = _house_for_counter(request, house_id)
    person = None
    if data.on_behalf_of is not None:
        # Whom the payment is for is read through the registry's scope, like every person.
        person = get_or_404(
            registry_queries.people(request.user).filter(community_id=house.community_id),
            pk=data.on_behalf_of,
        )
    result = services.do_take_counter_payment(
        actor=request.user,
        house=house,
        channel=data.channel,
        amount_fen=data.amount_fen,
        idempotency_key=data.idempotency_key,
        purpose=data.purpose,
        bill_ids=data.bill_ids,
        extra_to_prepayment=data.extra_to_prepayment,
        on_behalf_of=person,
    )
    p = result.payment
    body = {
        "id": p.pk,
        "out_trade_no": p.out_trade_no,
        "amount_fen": p.amount_fen,
        "channel": p.channel,
        "status": p.status,
        "to_prepayment_fen": result.to_prepayment_fen,
        "replayed": result.replayed,
        "receipt": receipt_ref(request, p.receipt),
    }
    return Status(200 if result.replayed else 201, body)


# --- the daily close ------------------------------------------------------------------------------


class Counted(InputSchema):
    cash: Fen(allow_zero=True) = 0
    card: Fen(allow_zero=True) = 0
    transfer: Fen(allow_zero=True) = 0


class DeskCloseIn(InputSchema):
    day: Date
    counted: Counted
    note: Text(200) = ""


class DeskCloseOut(Schema):
    id: int
    staff: str
    day: date
    expected: dict
    counted: dict
    difference_fen: int
    note: str
    payments: int
    refunds: int


class DeskQuery(InputSchema):
    community: Id
    day: Date | None = None


class ExpectedOut(Schema):
    day: date
    expected: dict  # per channel: taken − handed back
    handed_back: dict  # per channel: the refunds paid out of this desk
    payments: int
    refunds: int


@router.get("/desk/expected", response=ExpectedOut)
def desk_expected(request, filters: Query[DeskQuery]):
    staff_community(request, filters.community, Action.BILLING_COLLECT)
    day = filters.day or timezone.localdate()
    totals = services.desk_totals(request.user, filters.community, day)
    return {
        "day": day,
        "expected": totals.expected,
        "handed_back": totals.handed_back,
        "payments": len(totals.payment_ids),
        "refunds": len(totals.refund_ids),
    }


def _close_out(close, count: int | None = None, refunds: int | None = None) -> dict:
    return {
        "id": close.pk,
        "staff": str(close.staff),
        "day": close.day,
        "expected": close.expected,
        "counted": close.counted,
        "difference_fen": close.difference_fen,
        "note": close.note,
        "payments": close.payments.count() if count is None else count,
        "refunds": close.refunds.count() if refunds is None else refunds,
    }


@router.post("/communities/{community_id}/desk-closes", response={201: DeskCloseOut})
def close_desk(request, community_id: int, data: DeskCloseIn):
    community = staff_community(request, community_id, Action.BILLING_COLLECT)
    close = services.do_close_desk(
        actor=request.user,
        community=community,
        day=data.day,
        counted=data.counted.model_dump(),
        note=data.note,
    )
    return Status(201, _close_out(close))


class ClosesQuery(InputSchema):
    community: Id
    limit: Int(1, 200) = 50


@router.get("/desk-closes", response=list[DeskCloseOut])
def list_closes(request, filters: Query[ClosesQuery]):
    staff_community(request, filters.community, Action.BILLING_COLLECT)
    rows = (
        queries.desk_closes(request.user, filters.community)
        .select_related("staff")
        .annotate(n=Count("payments", distinct=True), n_refunds=Count("refunds", distinct=True))
        .order_by("-day", "-id")[: filters.limit]
    )
    return [_close_out(c, c.n, c.n_refunds) for c in rows]


# --- receipts -------------------------------------------------------------------------------------


class ReceiptLineOut(Schema):
    item: str
    period_start: date | None
    period_end: date | None
    amount_fen: int


class ReceiptOut(Schema):
    number: str
    verify_code: str
    community: str
    house: str
    payer: str
    channel: str
    paid_at: str
    total_fen: int
    refunded_fen: int
    lines: list[ReceiptLineOut]
    pdf_url: str


@router.get("/receipts/{receipt_id}", response=ReceiptOut)
def get_receipt(request, receipt_id: int):
    receipt = get_or_404(queries.receipts(request.user), pk=receipt_id)
    view = receipt_view(receipt)
    return {
        **view.__dict__,
        "paid_at": view.paid_at.isoformat() if view.paid_at else "",
        "lines": [line.__dict__ for line in view.lines],
        "pdf_url": reverse("billing:receipt_pdf", args=[receipt.pk]),
    }


# --- reports --------------------------------------------------------------------------------------


class ArrearsQuery(InputSchema):
    community: Id
    building: Id | None = None


# The arrears report lists every house that owes (7,000 in a 10,000-household community): its
# rows are plain pydantic models, validated by pydantic-core alone; Ninja's Schema reads each
# field through a Python getter (for ORM objects), which cost 0.5 s at that size (bench/billing_reports.py).
class ArrearsRow(BaseModel):
    house_id: int
    house: str
    payer: str
    owed_fen: int
    bills: int
    oldest: date


class BuildingArrears(BaseModel):
    building_id: int | None
    building: str
    houses: int
    owed_fen: int
    oldest: date


class ArrearsOut(BaseModel):
    buildings: list[BuildingArrears]
    houses: list[ArrearsRow]


@router.get("/reports/arrears", response=ArrearsOut)
def arrears(request, filters: Query[ArrearsQuery]):
    staff_community(request, filters.community, Action.BILLING_VIEW)
    buildings = queries.arrears_by_building(request.user, filters.community)
    houses = queries.arrears_houses(request.user, filters.community, filters.building)
    return {
        "buildings": [
            {
                "building_id": b["building_id"],
                "building": b["building__name"] or "",
                "houses": b["houses"],
                "owed_fen": b["owed"],
                "oldest": b["oldest"],
            }
            for b in buildings
        ],
        "houses": [
            {
                "house_id": h["house_id"],
                "house": f"{h['house__building__name']}-{h['house__unit__name']}-{h['house__number']}",
                "payer": mask_name(h["payer"]),
                "owed_fen": h["owed"],
                "bills": h["count"],
                "oldest": h["oldest"],
            }
            for h in houses
        ],
    }


class CollectionQuery(InputSchema):
    community: Id
    start: Date
    end: Date


class CollectionRow(Schema):
    building: str
    month: str
    due_fen: int
    paid_fen: int


@router.get("/reports/collection", response=list[CollectionRow])
def collection(request, filters: Query[CollectionQuery]):
    staff_community(request, filters.community, Action.BILLING_VIEW)
    rows = queries.collection_by_month(request.user, filters.community, filters.start, filters.end)
    report = reports.collection(rows)
    return [
        {"building": name, "month": f"{month:%Y-%m}", "due_fen": cell[0], "paid_fen": cell[1]}
        for month in report.months
        for building, name in report.buildings
        if (cell := report.cells.get((building, month)))
    ]


class StatementQuery(InputSchema):
    start: Date
    end: Date


class StatementPaymentOut(Schema):
    id: int
    paid_at: str
    amount_fen: int
    channel: str
    purpose: str
    receipt_id: int | None


class StatementOut(Schema):
    house: str
    start: date
    end: date
    bills: list[BillOut]
    payments: list[StatementPaymentOut]
    billed_fen: int
    paid_fen: int
    owed_now_fen: int
    prepaid_fen: int


@router.get("/houses/{house_id}/statement", response=StatementOut)
def statement(request, house_id: int, filters: Query[StatementQuery]):
    s = reports.build_statement(request.user, house_id, filters.start, filters.end)
    return {
        "house": s.house.label,
        "start": s.start,
        "end": s.end,
        "bills": [bill_out(b) for b in s.bills],
        "payments": [
            {
                "id": p.pk,
                "paid_at": p.paid_at.isoformat() if p.paid_at else "",
                "amount_fen": p.amount_fen,
                "channel": p.channel,
                "purpose": p.purpose,
                "receipt_id": getattr(getattr(p, "receipt", None), "pk", None),
            }
            for p in s.payments
        ],
        "billed_fen": s.billed_fen,
        "paid_fen": s.paid_fen,
        "owed_now_fen": s.owed_now_fen,
        "prepaid_fen": s.prepaid_fen,
    }
