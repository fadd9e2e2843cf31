"""Marking a payment paid: the one path every channel (provider notification, order query,
counter) goes through, so a payment is applied and posted once whoever reports it first.

Money that can no longer go to its bill (the bill was paid at the counter or voided while the
online order was open) is not refused — it was received — but credited to the house's
prepayment, where the next bill takes it (or, for a payment without a house, held there until
it is refunded).

Its three hot statements (claim the payment, read its allocations, add to a bill) are hand-written
SQL (linli.core.rawsql): a payment notification runs them inside a transaction that, on SQLite,
holds the single write lock, and compiling them as querysets took most of that time. Their tests
against the ORM's meaning are in billing/tests/test_settle_sql.py.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from linli.billing import tasks
from linli.billing.choices import COUNTER, ONLINE, Account, BillStatus, PaymentPurpose, PaymentStatus
from linli.billing.models import DUE_SQL, Bill, HouseAccount, Payment, PaymentAllocation, Receipt
from linli.billing.services import ledger
from linli.core import rawsql
from linli.core.events import enqueue_after_commit, publish
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
    sql = f"""
        UPDATE {rawsql.table(Bill)}
        SET paid_fen = paid_fen + %s,
            status = CASE WHEN paid_fen >= {DUE_SQL} - %s THEN %s ELSE %s END,
            paid_at = %s, version = version + 1
        WHERE id = %s AND paid_fen <= {DUE_SQL} - %s AND status <> %s
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [fen, fen, BillStatus.PAID, BillStatus.PARTLY_PAID, now, bill_id, fen, BillStatus.VOID]
        )
        return cursor.rowcount == 1


def credit_prepayment(*, house_id: int | None, community_id: int, fen: int) -> None:
    """A house's balance grows; money of a payment without a house (a temporary parking fee) is
    held on the prepayment account without one, until it is refunded."""
    if house_id is None:
        return
    HouseAccount.objects.get_or_create(house_id=house_id, defaults={"community_id": community_id})
    HouseAccount.objects.filter(house_id=house_id).update(prepaid_fen=F("prepaid_fen") + fen)


def _claim(payment_id: int, paid_at: datetime, provider_txn_id: str) -> Payment | None:
    """Pending → paid, once (a conditional update), returning the payment as it now is — one
    statement where the ORM needs an update and a read. A paid order's QR is never shown again.
    None: someone else claimed it first."""
    sql = f"""
        UPDATE {rawsql.table(Payment)}
        SET status = %s, paid_at = %s, provider_txn_id = %s, code_url = '', version = version + 1
        WHERE id = %s AND status = %s
        RETURNING {rawsql.columns(Payment)}
    """
    at = connection.ops.adapt_datetimefield_value(paid_at)
    with connection.cursor() as cursor:
        cursor.execute(sql, [PaymentStatus.PAID, at, provider_txn_id, payment_id, PaymentStatus.PENDING])
        rows = cursor.fetchall()
    return rawsql.instance(Payment, rows[0]) if rows else None


def _allocations(payment_id: int) -> list[tuple[int, int]]:
    """(bill, fen) of a payment, by bill."""
    sql = f"SELECT bill_id, amount_fen FROM {rawsql.table(PaymentAllocation)} WHERE payment_id = %s ORDER BY bill_id"
    with connection.cursor() as cursor:
        cursor.execute(sql, [payment_id])
        return cursor.fetchall()


# Called with (stay id, paid at the counter) when a temporary parking stay's bill is paid in full: parking
# registers one at start-up (it opens the barrier the car waits at); billing imports no app above it.
StayPaidHook = Callable[[int, bool], None]
_STAY_PAID_HOOKS: list[StayPaidHook] = []


def register_stay_paid_hook(hook: StayPaidHook) -> None:
    if hook not in _STAY_PAID_HOOKS:
        _STAY_PAID_HOOKS.append(hook)


def _stay_paid(payment: Payment) -> None:
    stays = Bill.objects.filter(
        allocations__payment=payment, status=BillStatus.PAID, parking_record_id__isnull=False
    ).values_list("parking_record_id", flat=True)
    for record_id in stays:
        for hook in _STAY_PAID_HOOKS:
            hook(record_id or 0, payment.channel in COUNTER)  # never None: filtered above


# No savepoint: every caller lets an error end its own transaction (a savepoint is two more
# statements inside the write lock).
@transaction.atomic(savepoint=False)
def settle(
    payment_id: int, *, paid_at: datetime | None = None, provider_txn_id: str = "", actor=None
) -> Settled:
    """Mark a pending payment paid, apply it to its bills and post it. Idempotent: the second
    caller finds it paid and changes nothing. The caller has checked the amount."""
    payment = _claim(payment_id, paid_at or timezone.now(), provider_txn_id)
    if payment is None:
        return Settled(Payment.objects.get(pk=payment_id), newly_paid=False)

    account, sub = money_account(payment.channel)
    legs = [ledger.debit(account, payment.amount_fen, sub=sub)]
    leftover = payment.amount_fen
    if payment.purpose == PaymentPurpose.BILLS:
        for bill_id, fen in _allocations(payment_id):
            if add_to_bill(bill_id, fen):
                legs.append(ledger.credit(Account.RECEIVABLE, fen, bill_id=bill_id))
                leftover -= fen
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
    if payment.house_id is None and payment.purpose == PaymentPurpose.BILLS:
        _stay_paid(payment)
    if payment.house_id:
        publish(
            "billing.paid",
            {"payment": payment.pk, "house": payment.house_id, "amount_fen": payment.amount_fen},
            users=household_user_ids(payment.house_id),
            community_id=payment.community_id,
        )
        if payment.channel not in ONLINE:
            # Money at the counter or from the prepayment has no other receipt; an online payer has
            # the provider's own (微信支付凭证), and the hot path of its notification stays lean.
            enqueue_after_commit(tasks.tell_paid, payment.pk)
    # The staff's side of the same payment (the counter's and the manager's figures on the console
    # home): addressed to the community, without the household.
    publish("billing.collected", {"amount_fen": payment.amount_fen}, community_id=payment.community_id)
    to_prepayment = leftover if payment.purpose == PaymentPurpose.BILLS else 0
    return Settled(payment, newly_paid=True, to_prepayment_fen=to_prepayment)
