"""Fee items, standards, meter readings, billing runs, void/re-issue, temporary parking bills."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import WithJsonSchema

from linli.billing import queries
from linli.billing.models import Bill, BillingRun, FeeItem, FeeStandard, MeterReading
from linli.billing.schemas import Fen
from linli.billing.services import readings, runs, setup
from linli.core.http import community_for, get_or_404
from linli.core.roles import Action
from linli.core.schema_types import Bool, Date, InputSchema, Int, Text, column, optional
from linli.registry import queries as registry_queries
from linli.registry.api_io import ImportReportOut
from linli.registry.io.reader import check_size

router = Router(tags=["billing setup"])

# Prices and readings arrive as numbers; the services refuse negatives and too many decimals with
# stable codes (invalid_price, …), so they are not cut short at the edge. Amounts are `Fen`.
LIMIT = 10**14
Number = Annotated[
    Decimal,
    Field(ge=-LIMIT, le=LIMIT, max_digits=20, decimal_places=6),
    WithJsonSchema({"type": "number", "minimum": -LIMIT, "maximum": LIMIT}),  # a number, never text
]
Tiers = Annotated[list[Annotated[list[Number | None], Field(max_length=2)]], Field(max_length=10)]


class FeeItemIn(InputSchema):
    name: column(FeeItem, "name", min_length=1)
    kind: column(FeeItem, "kind")
    cycle: column(FeeItem, "cycle") = "monthly"
    payer_rule: column(FeeItem, "payer_rule") = "owner"
    due_days: Int(0, 366) = 30


class FeeItemPatch(InputSchema):
    name: column(FeeItem, "name", min_length=1) = optional()
    cycle: column(FeeItem, "cycle") = optional()
    payer_rule: column(FeeItem, "payer_rule") = optional()
    due_days: Int(0, 366) = optional()
    active: Bool = optional()


class FeeItemOut(Schema):
    id: int
    name: str
    kind: str
    cycle: str
    payer_rule: str
    due_days: int
    active: bool


class StandardIn(InputSchema):
    effective_from: Date
    effective_to: Date | None = None
    unit_price_fen: Number
    house_type: column(FeeStandard, "house_type") = ""
    tiers: Tiers = []
    free_minutes: Int(0, 24 * 60) = 0
    period_minutes: Int(1, 24 * 60) = 60
    daily_cap_fen: Fen(allow_zero=True) | None = None
    basis: Text(2000, multiline=True) = ""


class StandardPatch(InputSchema):
    effective_from: Date = optional()
    effective_to: Date | None = optional()
    unit_price_fen: Number = optional()
    tiers: Tiers = optional()
    free_minutes: Int(0, 24 * 60) = optional()
    period_minutes: Int(1, 24 * 60) = optional()
    daily_cap_fen: Fen(allow_zero=True) | None = optional()
    basis: Text(2000, multiline=True) = optional()


class StandardOut(Schema):
    id: int
    fee_item_id: int
    version: int
    house_type: str
    effective_from: date
    effective_to: date | None
    unit_price_fen: Decimal
    tiers: list
    free_minutes: int
    period_minutes: int
    daily_cap_fen: int | None
    basis: str
    published_at: datetime | None


class ReadingIn(InputSchema):
    kind: column(MeterReading, "kind")
    read_on: Date
    value: Number
    meter_replaced: Bool = False
    old_meter_final: Number | None = None


class ReadingOut(Schema):
    id: int
    house_id: int
    kind: str
    read_on: date
    value: Decimal
    meter_replaced: bool
    old_meter_final: Decimal | None
    source: str


class RunIn(InputSchema):
    period_start: Date
    total_fen: Fen(allow_zero=True) | None = None  # shared-area items: the period's total to allocate


class SkippedOut(Schema):
    house_id: int
    label: str
    reason: str


class RunOut(Schema):
    id: int
    fee_item_id: int
    period_start: date
    period_end: date
    status: str
    bill_count: int
    total_fen: int
    posted_at: datetime | None


class UnownedOut(Schema):
    house_id: int
    label: str
    first: date
    last: date


class PreviewOut(Schema):
    run: RunOut
    bill_count: int
    total_fen: int
    samples: list[dict]
    skipped: list[SkippedOut]
    without_payer: list[str]  # houses billed without a payer (a metered, shared-area or fixed fee)
    unowned: list[UnownedOut]  # days nobody owned: a daily fee (property, monthly parking) bills none


class VoidIn(InputSchema):
    reason: column(Bill, "void_reason", min_length=1)
    reissue: Bool = False


class BillOut(Schema):
    id: int
    house_id: int | None
    payer_id: int | None
    fee_item_id: int
    standard_id: int
    period_start: date
    period_end: date
    amount_fen: int
    paid_fen: int
    status: str
    lines: list
    replaces_id: int | None


class VoidOut(Schema):
    bill: BillOut
    to_prepayment_fen: int
    reissued: BillOut | None  # the bill that replaces it: the first of reissued_bills
    reissued_bills: list[BillOut]  # one per payer of the voided bill's days, in day order


class ParkingOut(Schema):
    bill_count: int
    total_fen: int
    free: int
    without_standard: int


def _fee_item(request, fee_item_id: int) -> FeeItem:
    return get_or_404(queries.fee_items(request.user), pk=fee_item_id)


def _preview_out(preview: runs.Preview) -> dict:
    computed = preview.computed
    return {
        "run": preview.run,
        "bill_count": len(computed.bills),
        "total_fen": computed.total_fen,
        "samples": computed.samples(),
        "skipped": computed.skipped,
        "without_payer": computed.without_payer,
        "unowned": computed.unowned,
    }


# --- fee items and standards --------------------------------------------------------------------


@router.get("/communities/{community_id}/fee-items", response=list[FeeItemOut])
def list_fee_items(request, community_id: int):
    community_for(request, community_id, Action.BILLING_VIEW)
    return list(queries.fee_items(request.user).filter(community_id=community_id))


@router.post("/communities/{community_id}/fee-items", response={201: FeeItemOut})
def create_fee_item(request, community_id: int, data: FeeItemIn):
    community = community_for(request, community_id, Action.BILLING_VIEW)
    return Status(201, setup.do_create_fee_item(actor=request.user, community=community, **data.dict()))


@router.patch("/fee-items/{fee_item_id}", response=FeeItemOut)
def update_fee_item(request, fee_item_id: int, data: FeeItemPatch):
    item = _fee_item(request, fee_item_id)
    return setup.do_update_fee_item(actor=request.user, fee_item=item, **data.dict(exclude_unset=True))


@router.get("/fee-items/{fee_item_id}/standards", response=list[StandardOut])
def list_standards(request, fee_item_id: int):
    item = _fee_item(request, fee_item_id)
    return list(queries.fee_standards(request.user).filter(fee_item=item))


@router.post("/fee-items/{fee_item_id}/standards", response={201: StandardOut})
def create_standard(request, fee_item_id: int, data: StandardIn):
    """A new version; 409 standard_overlap when its dates meet another version's."""
    item = _fee_item(request, fee_item_id)
    return Status(201, setup.do_create_standard(actor=request.user, fee_item=item, **data.dict()))


@router.patch("/standards/{standard_id}", response=StandardOut)
def update_standard(request, standard_id: int, data: StandardPatch):
    """Drafts only: 409 standard_in_use once published or billed (make a new version)."""
    standard = get_or_404(queries.fee_standards(request.user), pk=standard_id)
    return setup.do_update_standard(actor=request.user, standard=standard, **data.dict(exclude_unset=True))


@router.post("/standards/{standard_id}/publish", response=StandardOut)
def publish_standard(request, standard_id: int):
    """Owners are told in the app, with the cost basis."""
    standard = get_or_404(queries.fee_standards(request.user), pk=standard_id)
    return setup.do_publish_standard(actor=request.user, standard=standard)


# --- meter readings -----------------------------------------------------------------------------


@router.get("/houses/{house_id}/readings", response=list[ReadingOut])
def list_readings(request, house_id: int):
    house = get_or_404(registry_queries.houses(request.user), pk=house_id)
    return list(queries.meter_readings(request.user, house.pk)[:200])


@router.post("/houses/{house_id}/readings", response={201: ReadingOut})
def record_reading(request, house_id: int, data: ReadingIn):
    """A reading lower than the last is refused (400 reading_below_last) unless it records a meter change."""
    house = get_or_404(registry_queries.houses(request.user), pk=house_id)
    return Status(201, readings.do_record_reading(actor=request.user, house=house, **data.dict()))


@router.post(
    "/communities/{community_id}/readings/import",
    response={200: ImportReportOut, 201: ImportReportOut},
)
def import_readings(request, community_id: int, file: File[UploadedFile], dry_run: bool = True):
    """Dry run (default) lists every bad row; dry_run=false imports all rows or none (422)."""
    community = community_for(request, community_id, Action.BILLING_VIEW)
    check_size(file.size)
    report = readings.do_import_readings(
        actor=request.user, community=community, filename=file.name or "", data=file.read(), dry_run=dry_run
    )
    return Status(200 if dry_run else 201, report.as_dict())


# --- billing runs -------------------------------------------------------------------------------


@router.get("/communities/{community_id}/runs", response=list[RunOut])
def list_runs(request, community_id: int):
    community_for(request, community_id, Action.BILLING_VIEW)
    return list(queries.billing_runs(request.user).filter(community_id=community_id)[:100])


@router.post("/fee-items/{fee_item_id}/runs", response={201: PreviewOut})
def preview_run(request, fee_item_id: int, data: RunIn):
    """Computes the period's bills and writes none; 409 period_already_billed after a post."""
    item = _fee_item(request, fee_item_id)
    preview = runs.do_preview_run(actor=request.user, fee_item=item, **data.dict())
    return Status(201, _preview_out(preview))


@router.get("/runs/{run_id}", response=RunOut)
def get_run(request, run_id: int):
    return get_or_404(queries.billing_runs(request.user), pk=run_id)


@router.post("/runs/{run_id}/post", response=RunOut)
def post_run(request, run_id: int):
    """Writes the bills and their ledger posting; 409 period_already_billed the second time."""
    run: BillingRun = get_or_404(queries.billing_runs(request.user), pk=run_id)
    runs.do_post_run(actor=request.user, run=run)
    run.refresh_from_db()
    return run


@router.post("/runs/{run_id}/discard", response=RunOut)
def discard_run(request, run_id: int):
    run = get_or_404(queries.billing_runs(request.user), pk=run_id)
    return runs.do_discard_run(actor=request.user, run=run)


@router.post("/bills/{bill_id}/void", response=VoidOut)
def void_bill(request, bill_id: int, data: VoidIn):
    """Void with a reason (and re-issue); what was paid moves to the house's prepayment."""
    bill = get_or_404(queries.bills_to_correct(request.user), pk=bill_id)
    voided = runs.do_void_bill(actor=request.user, bill=bill, **data.dict())
    return {
        "bill": voided.bill,
        "to_prepayment_fen": voided.to_prepayment_fen,
        "reissued": voided.reissued[0] if voided.reissued else None,
        "reissued_bills": voided.reissued,
    }


@router.post("/fee-items/{fee_item_id}/bill-parking", response=ParkingOut)
def bill_parking(request, fee_item_id: int):
    """Bills the community's closed temporary parking stays not billed yet."""
    item = _fee_item(request, fee_item_id)
    result = runs.do_bill_parking(actor=request.user, fee_item=item)
    return {
        "bill_count": len(result.bills),
        "total_fen": result.total_fen,
        "free": result.free,
        "without_standard": result.without_standard,
    }
