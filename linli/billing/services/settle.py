"""Marking a payment paid: the one path every channel (provider notification, order query,
counter) goes through, so a payment is applied and posted once whoever reports it first.

Money that can no longer go to its bill (the bill was paid at the counter or voided while the
online order was open) is not refused — it was received — but credited to the house's
prepayment, where the next bill takes it (or, for a payment without a house, held there until
it is refunded).
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from linli.billing.choices import COUNTER, Account, BillStatus, PaymentPurpose, PaymentStatus
from linli.billing.models import DUE, Bill, HouseAccount, Payment, Receipt
from linli.billing.services import ledger
from linli.core.events import publish
from linli.registry.queries import household_user_ids


@dataclass(frozen=True)
class Settled:
    payment: Payment
    newly_paid: bool  # False when the payment was already paid: a repeat report changes nothing
    to_prepayment_fen: int = 0


def new_trade_no(prefix: str = "LL") -> str:
    """Our order number (≤ 32 characters, unique): time for humans, randomness for uniqueness."""
    return f"{prefix}{timezone.now():%Y%m%d%H%M%S}{secrets.randbelow(10**12):012d}"


def money_account(channel: str) -> tuple[str, str]:
    """Where received money sits until it is in the bank: the drawer/terminal for the counter,
    the provider's clearing account for online channels."""
    return (Account.CASH, channel) if channel in COUNTER else (Account.CLEARING, channel)


def add_to_bill(bill_id: int, fen: int) -> bool:
    """Conditionally add a payment to a bill: never past what is owed, never to a void bill."""
    return bool(
        Bill.objects.filter(pk=bill_id, paid_fen__lte=DUE - fen)
        .exclude(status=BillStatus.VOID)
        .update(
            paid_fen=F("paid_fen") + fen,
            status=Case(
                When(paid_fen__gte=DUE - fen, then=Value(BillStatus.PAID)),
                default=Value(BillStatus.PARTLY_PAID),
            ),
            paid_at=timezone.now(),
            version=F("version") + 1,
        )
    )


def credit_prepayment(*, house_id: int | None, community_id: int, fen: int) -> None:
    """A house's balance grows; money of a payment without a house (a temporary parking fee) is
    held on the prepayment account without one, until it is refunded."""
    if house_id is None:
        return
    HouseAccount.objects.get_or_create(house_id=house_id, defaults={"community_id": community_id})
    HouseAccount.objects.filter(house_id=house_id).update(prepaid_fen=F("prepaid_fen") + fen)


@transaction.atomic
def settle(
    payment_id: int, *, paid_at: datetime | None = None, provider_txn_id: str = "", actor=None
) -> Settled:
    """Mark a pending payment paid, apply it to its bills and post it. Idempotent: the second
    caller finds it paid and changes nothing. The caller has checked the amount."""
    paid_at = paid_at or timezone.now()
    won = Payment.objects.filter(pk=payment_id, status=PaymentStatus.PENDING).update(
        status=PaymentStatus.PAID, paid_at=paid_at, provider_txn_id=provider_txn_id, version=F("version") + 1
    )
    payment = Payment.objects.get(pk=payment_id)
    if not won:
        return Settled(payment, newly_paid=False)

    account, sub = money_account(payment.channel)
    legs = [ledger.debit(account, payment.amount_fen, sub=sub)]
    leftover = payment.amount_fen
    if payment.purpose == PaymentPurpose.BILLS:
        for allocation in payment.allocations.order_by("bill_id"):
            if add_to_bill(allocation.bill_id, allocation.amount_fen):
                legs.append(
                    ledger.credit(Account.RECEIVABLE, allocation.amount_fen, bill_id=allocation.bill_id)
                )
                leftover -= allocation.amount_fen
    if leftover:
        credit_prepayment(house_id=payment.house_id, community_id=payment.community_id, fen=leftover)
        legs.append(ledger.credit(Account.PREPAYMENT, leftover, house_id=payment.house_id))
    ledger.post(
        community_id=payment.community_id,
        kind="payment",
        legs=legs,
        payment=payment,
        actor=actor,
        memo=payment.out_trade_no,
    )
    Receipt.objects.create(
        payment=payment,
        community_id=payment.community_id,
        number=f"R{payment.out_trade_no}",
        verify_code=secrets.token_urlsafe(12),
    )
    if payment.house_id:
        publish(
            "billing.paid",
            {"payment": payment.pk, "house": payment.house_id, "amount_fen": payment.amount_fen},
            users=household_user_ids(payment.house_id),
            community_id=payment.community_id,
        )
    to_prepayment = leftover if payment.purpose == PaymentPurpose.BILLS else 0
    return Settled(payment, newly_paid=True, to_prepayment_fen=to_prepayment)
