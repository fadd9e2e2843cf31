"""Prepayment, waivers, late-fee policy, one-off charges and deposits, reminders; and the
resident's own prepaid balance and house ledger. Thin: reads through queries, writes through
services."""

from datetime import date, datetime
from typing import Literal

from ninja import Query, Router, Schema, Status

from linli.billing import queries
from linli.billing.choices import ApprovalStatus
from linli.billing.models import Bill, FeeItem, Refund, Waiver
from linli.billing.schemas import Fen
from linli.billing.services import charges, late_fees, prepayment, waivers
from linli.core.http import community_for, get_or_404
from linli.core.pagination import keyset_page
from linli.core.roles import Action
from linli.core.schema_types import Id, InputSchema, Text, column
from linli.core.schemas import PageQuery

router = Router(tags=["billing-money"])


class WaiverIn(InputSchema):
    amount_fen: Fen()
    reason: column(Waiver, "reason")


class PolicyIn(InputSchema):
    late_fee_daily_bp: column(FeeItem, "late_fee_daily_bp")
    late_fee_cap_bp: column(FeeItem, "late_fee_cap_bp")


class ChargeIn(InputSchema):
    fee_item_id: Id
    note: Text(200)
    amount_fen: Fen() | None = None


class DepositRefundIn(InputSchema):
    refund_fen: Fen(allow_zero=True)
    deduct_fen: Fen(allow_zero=True) = 0
    reason: column(Refund, "reason") = ""


class WaiverFilter(InputSchema):
    status: Literal[tuple(ApprovalStatus.values)] | None = None  # type: ignore[valid-type]


class PrepaidOut(Schema):
    house_id: int
    house: str
    prepaid_fen: int


class LedgerLineOut(Schema):
    id: int
    posted_at: datetime
    kind: str
    account: str
    bill_id: int | None
    debit_fen: int
    credit_fen: int


class MoneyBillOut(Schema):
    id: int
    house_id: int | None
    house: str
    fee_item_id: int
    fee_item: str
    kind: str
    amount_fen: int
    discount_fen: int
    late_fee_fen: int
    paid_fen: int
    owed_fen: int
    deposit_held_fen: int
    status: str
    due_on: date
    note: str


class WaiverOut(Schema):
    id: int
    bill: MoneyBillOut
    amount_fen: int
    reason: str
    status: str
    requested_by: str
    decided_by: str
    created_at: datetime
    decided_at: datetime | None


class RefundOut(Schema):
    id: int
    payment_id: int
    amount_fen: int
    status: str
    out_refund_no: str


class DepositRefundOut(Schema):
    bill: MoneyBillOut
    refunds: list[RefundOut]


class PolicyOut(Schema):
    id: int
    name: str
    late_fee_daily_bp: int
    late_fee_cap_bp: int


class ReminderOut(Schema):
    id: int
    house_id: int
    channel: str
    owed_fen: int
    sent_at: datetime


def bill_out(bill: Bill) -> dict:
    return {
        "id": bill.pk,
        "house_id": bill.house_id,
        "house": bill.house.label if bill.house_id else "",
        "fee_item_id": bill.fee_item_id,
        "fee_item": bill.fee_item.name,
        "kind": bill.fee_item.kind,
        "amount_fen": bill.amount_fen,
        "discount_fen": bill.discount_fen,
        "late_fee_fen": bill.late_fee_fen,
        "paid_fen": bill.paid_fen,
        "owed_fen": bill.owed_fen,
        "deposit_held_fen": charges.held_fen(bill),
        "status": bill.status,
        "due_on": bill.due_on,
        "note": next((line.get("note", "") for line in bill.lines if isinstance(line, dict)), ""),
    }


def waiver_out(waiver: Waiver) -> dict:
    return {
        "id": waiver.pk,
        "bill": bill_out(waiver.bill),
        "amount_fen": waiver.amount_fen,
        "reason": waiver.reason,
        "status": waiver.status,
        "requested_by": str(waiver.requested_by or ""),
        "decided_by": str(waiver.decided_by or ""),
        "created_at": waiver.created_at,
        "decided_at": waiver.decided_at,
    }


def _house(request, house_id: int):
    # A house whose bills the user may see: staff in scope, or a resident of it.
    return get_or_404(queries.money_houses(request.user), pk=house_id)


def _bill(request, bill_id: int) -> Bill:
    return get_or_404(queries.money_bills(request.user), pk=bill_id)


def _waiver(request, waiver_id: int) -> Waiver:
    return get_or_404(queries.waivers(request.user), pk=waiver_id)


# --- the resident's own --------------------------------------------------------------------------


@router.get("/me/prepaid", response=list[PrepaidOut])
def my_prepaid(request):
    """The signed-in resident's prepaid balance (预存余额) for each house they live in."""
    return [
        {"house_id": h.pk, "house": h.label, "prepaid_fen": fen}
        for h, fen in queries.my_prepaid(request.user)
    ]


# --- prepayment ----------------------------------------------------------------------------------


@router.get("/houses/{house_id}/prepaid", response=PrepaidOut)
def house_prepaid(request, house_id: int):
    house = _house(request, house_id)
    return {
        "house_id": house.pk,
        "house": house.label,
        "prepaid_fen": queries.prepaid_fen(request.user, house.pk),
    }


@router.get("/houses/{house_id}/ledger", response=dict)
def house_ledger(request, house_id: int, filters: Query[PageQuery]):
    """The house's ledger history, newest first (its bills' receivable and its prepayment)."""
    house = _house(request, house_id)
    rows, next_cursor = keyset_page(
        queries.house_ledger(house.pk), cursor=filters.cursor, limit=filters.limit, newest_first=True
    )
    items = [
        LedgerLineOut(
            id=e.pk,
            posted_at=e.transaction.posted_at,
            kind=e.transaction.kind,
            account=e.account,
            bill_id=e.bill_id,
            debit_fen=e.debit_fen,
            credit_fen=e.credit_fen,
        ).model_dump()
        for e in rows
    ]
    return {"items": items, "next_cursor": next_cursor}


@router.post("/houses/{house_id}/prepaid/apply", response=dict)
def apply_prepaid(request, house_id: int):
    """Spend the house's prepaid balance on its open bills now (oldest due first)."""
    house = _house(request, house_id)
    return {"applied_fen": prepayment.do_apply_prepayment(actor=request.user, house=house)}


# --- waivers -------------------------------------------------------------------------------------


@router.get("/communities/{community_id}/waivers", response=list[WaiverOut])
def list_waivers(request, community_id: int, filters: Query[WaiverFilter]):
    community_for(request, community_id, Action.BILLING_VIEW)
    rows = queries.waivers(request.user).filter(community_id=community_id)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return [waiver_out(w) for w in rows[:200]]


@router.post("/bills/{bill_id}/waivers", response={201: WaiverOut})
def request_waiver(request, bill_id: int, data: WaiverIn):
    waiver = waivers.do_request_waiver(
        actor=request.user, bill=_bill(request, bill_id), amount_fen=data.amount_fen, reason=data.reason
    )
    return Status(201, waiver_out(waiver))


@router.post("/waivers/{waiver_id}/approve", response=WaiverOut)
def approve_waiver(request, waiver_id: int):
    return waiver_out(waivers.do_approve_waiver(actor=request.user, waiver=_waiver(request, waiver_id)))


@router.post("/waivers/{waiver_id}/reject", response=WaiverOut)
def reject_waiver(request, waiver_id: int):
    return waiver_out(waivers.do_reject_waiver(actor=request.user, waiver=_waiver(request, waiver_id)))


# --- late-fee policy -----------------------------------------------------------------------------


@router.patch("/fee-items/{fee_item_id}/late-fee-policy", response=PolicyOut)
def set_late_fee_policy(request, fee_item_id: int, data: PolicyIn):
    item = get_or_404(FeeItem.objects.restrict(request.user, Action.BILLING_VIEW), pk=fee_item_id)
    return late_fees.do_set_late_fee_policy(
        actor=request.user, fee_item=item, daily_bp=data.late_fee_daily_bp, cap_bp=data.late_fee_cap_bp
    )


# --- one-off charges and deposits ----------------------------------------------------------------


@router.post("/houses/{house_id}/charges", response={201: MoneyBillOut})
def issue_charge(request, house_id: int, data: ChargeIn):
    """A one-off charge or a deposit (装修押金) for one house."""
    house = _house(request, house_id)
    item = get_or_404(queries.money_fee_items(request.user, house.community_id), pk=data.fee_item_id)
    bill = charges.do_issue_charge(
        actor=request.user, house=house, fee_item=item, note=data.note, amount_fen=data.amount_fen
    )
    return Status(201, bill_out(bill))


@router.get("/communities/{community_id}/deposits", response=list[MoneyBillOut])
def list_deposits(request, community_id: int):
    community_for(request, community_id, Action.BILLING_VIEW)
    return [bill_out(b) for b in queries.deposits(request.user, community_id).order_by("-id")[:200]]


@router.get("/communities/{community_id}/charges", response=list[MoneyBillOut])
def list_charges(request, community_id: int):
    community_for(request, community_id, Action.BILLING_VIEW)
    return [bill_out(b) for b in queries.one_off_charges(request.user, community_id).order_by("-id")[:200]]


@router.post("/bills/{bill_id}/deposit-refund", response=DepositRefundOut)
def refund_deposit(request, bill_id: int, data: DepositRefundIn):
    """Give a paid deposit back (in full, or less deductions kept as revenue, with a reason)."""
    bill = _bill(request, bill_id)
    refunds = charges.do_refund_deposit(
        actor=request.user,
        bill=bill,
        refund_fen=data.refund_fen,
        deduct_fen=data.deduct_fen,
        reason=data.reason,
    )
    bill.refresh_from_db()
    return {"bill": bill_out(bill), "refunds": refunds}


# --- reminders -----------------------------------------------------------------------------------


@router.get("/communities/{community_id}/reminders", response=list[ReminderOut])
def list_reminders(request, community_id: int):
    community_for(request, community_id, Action.BILLING_VIEW)
    return list(queries.reminders(request.user, community_id)[:200])
