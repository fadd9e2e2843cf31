"""Test support for online payment that other tests use too: an issued bill, and the ids of a
house's orders and refunds for the outsider and narrowed-staff walks."""

from datetime import date
from decimal import Decimal

from linli.billing.choices import Account, Channel, FeeKind
from linli.billing.models import Bill, FeeItem, FeeStandard, Payment, PaymentAllocation
from linli.billing.services import ledger
from linli.billing.services.refunds import do_request_refund
from linli.billing.services.settle import new_trade_no, settle


def make_bill(house, amount_fen: int, *, month: int = 12, name: str = "物业费") -> Bill:
    """An issued bill, posted as a billing run posts it (Dr receivable / Cr revenue)."""
    item, _ = FeeItem.objects.get_or_create(
        community_id=house.community_id, name=name, defaults={"kind": FeeKind.PROPERTY}
    )
    std = FeeStandard.objects.filter(fee_item=item).first() or FeeStandard.objects.create(
        fee_item=item,
        community_id=house.community_id,
        version=1,
        effective_from=date(2026, 1, 1),
        unit_price_fen=Decimal("250"),
    )
    bill = Bill.objects.create(
        community_id=house.community_id,
        building=house.building,
        house=house,
        fee_item=item,
        standard=std,
        period_start=date(2026, month, 1),
        period_end=date(2026, month, 28),
        quantity=Decimal("89.5"),
        amount_fen=amount_fen,
        due_on=date(2026, month, 28),
        lines=[{"label": "89.50㎡ × 2.50元/㎡·月", "amount_fen": amount_fen}],
    )
    ledger.post(
        community_id=house.community_id,
        kind="bill_issued",
        legs=[
            ledger.debit(Account.RECEIVABLE, amount_fen, bill_id=bill.pk),
            ledger.credit(Account.REVENUE, amount_fen),
        ],
    )
    return bill


def _order(house, fen: int, *, paid: bool) -> Payment:
    bill = make_bill(house, fen, month=11 if paid else 12, name="物业费(探测)")
    payment = Payment.objects.create(
        community_id=house.community_id,
        house=house,
        channel=Channel.SANDBOX,
        amount_fen=fen,
        out_trade_no=new_trade_no(),
    )
    PaymentAllocation.objects.create(payment=payment, bill=bill, amount_fen=fen)
    if paid:
        settle(payment.pk)
    return payment


def pay_probe_ids(house, manager) -> dict:
    """A pending order, and a paid one with a refund requested, of `house`: whoever walks with
    these ids must reach none of them."""
    pending = _order(house, 12300, paid=False)
    paid = _order(house, 45600, paid=True)
    refund = do_request_refund(actor=manager, payment_id=paid.pk, amount_fen=100, reason="探测")
    return {
        "out_trade_no": pending.out_trade_no,
        "no": pending.out_trade_no,
        "refund_id": refund.pk,
        "day": "2026-12-05",
    }
