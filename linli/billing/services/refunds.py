"""Refunds (full or partial), back through the channel the money came in by.

Staff with billing.collect request one; a manager (billing.approve) approves it. Approval
reserves the amount on the payment (`refunded_fen`, a conditional update, so two refunds can
never exceed what was paid). Online, the provider is asked (`refund_online`) and the refund
finishes when it says so — at once, by its refund notification, or by the periodic refund
query. At the counter, the approver records the cash or transfer handed back and it finishes
at once.

Finishing gives back what the payment bought, in the ledger's terms (see ledger.py): the part
that sits in the prepayment first (Dr prepayment), then its bills, newest first — each bill is
owed again (paid_fen down, conditional) with Dr receivable, or Dr refund for a bill voided
since. A deposit given back (`Refund.deposit_bill`, see charges.py) comes out of the deposit
held instead (Dr deposits) and its bill stays paid. The credit side is the channel's clearing
account or the cash drawer.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Case, F, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import User
from linli.billing.choices import COUNTER, ONLINE, Account, BillStatus, FeeKind, PaymentStatus, RefundStatus
from linli.billing.models import Bill, HouseAccount, LedgerEntry, Payment, Refund
from linli.billing.providers.base import Notice, ProviderUnavailable
from linli.billing.services import amounts, ledger
from linli.billing.services.common import provider_for
from linli.billing.services.settle import money_account, new_trade_no
from linli.core import audit
from linli.core.errors import Conflict, NotFound, ServiceError
from linli.core.events import publish
from linli.core.permissions import require
from linli.core.roles import Action
from linli.registry.queries import household_user_ids

QUERY_AFTER = timedelta(minutes=1)


def _refundable(payment: Payment) -> int:
    return payment.amount_fen - payment.refunded_fen


def _too_large(fen: int, payment: Payment) -> ServiceError:
    return ServiceError(
        "refund_too_large",
        _("退款金额超过可退金额"),
        fields={"amount_fen": f"{fen} > {_refundable(payment)}"},
    )


def do_request_refund(*, actor: User, payment_id: int, amount_fen: int, reason: str) -> Refund:
    fen = amounts.fen(amount_fen)
    with transaction.atomic():
        payment = Payment.objects.restrict(actor, Action.BILLING_COLLECT).filter(pk=payment_id).first()
        if payment is None:
            raise NotFound()
        require(actor, Action.BILLING_COLLECT, payment.community_id)
        if payment.status != PaymentStatus.PAID:
            raise ServiceError("payment_not_paid", _("该笔收款尚未支付，不能退款"))
        if not reason.strip():
            raise ServiceError("reason_required", _("请填写退款原因"), fields={"reason": ""})
        if fen > _refundable(payment):
            raise _too_large(fen, payment)
        refund = Refund.objects.create(
            payment=payment,
            community_id=payment.community_id,
            amount_fen=fen,
            reason=reason.strip()[:200],
            out_refund_no=new_trade_no("RF"),
            status=RefundStatus.REQUESTED,
            requested_by=actor,
        )
        audit.record(
            actor=actor,
            action="billing.refund_requested",
            obj=refund,
            community_id=payment.community_id,
            after={"payment": payment.pk, "amount_fen": fen, "reason": refund.reason},
        )
    return refund


def _decide(actor: User, refund_id: int, to: str) -> Refund:
    refund = Refund.objects.restrict(actor, Action.BILLING_APPROVE).filter(pk=refund_id).first()
    if refund is None:
        raise NotFound()
    require(actor, Action.BILLING_APPROVE, refund.community_id)
    won = Refund.objects.filter(pk=refund.pk, status=RefundStatus.REQUESTED).update(
        status=to, decided_by=actor, decided_at=timezone.now()
    )
    if not won:
        raise Conflict("refund_not_requested", _("该退款已处理"))
    audit.record(actor=actor, action=f"billing.refund_{to}", obj=refund, community_id=refund.community_id)
    refund.refresh_from_db()
    return refund


def _reserve(payment_id: int, fen: int) -> bool:
    """Count `fen` against the payment, never past what was paid."""
    return bool(
        Payment.objects.filter(
            pk=payment_id, status=PaymentStatus.PAID, refunded_fen__lte=F("amount_fen") - fen
        ).update(refunded_fen=F("refunded_fen") + fen, version=F("version") + 1)
    )


def do_reject_refund(*, actor: User, refund_id: int) -> Refund:
    with transaction.atomic():
        return _decide(actor, refund_id, RefundStatus.REJECTED)


def do_approve_refund(*, actor: User, refund_id: int) -> Refund:
    with transaction.atomic():
        refund = _decide(actor, refund_id, RefundStatus.PENDING)
        if not _reserve(refund.payment_id, refund.amount_fen):
            raise _too_large(refund.amount_fen, Payment.objects.get(pk=refund.payment_id))
        if refund.payment.channel in COUNTER:  # the approver hands the cash back or transfers it
            finish_refund(refund.pk, actor=actor)
    if refund.payment.channel in ONLINE:
        ask_provider(refund)
    refund.refresh_from_db()
    return refund


def start_refund(
    payment: Payment, fen: int, reason: str, *, actor: User | None, deposit_bill: Bill | None = None
) -> Refund | None:
    """A refund its caller decided on (no approval step), pending and reserved on the payment,
    in the caller's transaction; None when the payment no longer holds `fen`. Then, once that
    transaction has committed: `finish_refund` for money handed back at the counter,
    `ask_provider` for an online payment (never before the commit: a provider that was asked
    must find our refund recorded)."""
    if not _reserve(payment.pk, fen):
        return None
    return Refund.objects.create(
        payment=payment,
        community_id=payment.community_id,
        amount_fen=fen,
        reason=reason[:200],
        out_refund_no=new_trade_no("RF"),
        status=RefundStatus.PENDING,
        requested_by=actor,
        decided_by=actor,
        decided_at=timezone.now(),
        deposit_bill=deposit_bill,
    )


def refund_online(payment: Payment, fen: int, reason: str, *, actor: User | None = None) -> Refund:
    """Refund an online payment through its provider without the approval step (for callers
    that made their own decision). Raises refund_too_large."""
    if payment.channel not in ONLINE:
        raise ServiceError("not_online", _("该笔收款不是线上支付"))
    amounts.fen(fen)
    with transaction.atomic():
        refund = start_refund(payment, fen, reason, actor=actor)
        if refund is None:
            raise _too_large(fen, Payment.objects.get(pk=payment.pk))
        audit.record(
            actor=actor, action="billing.refund_online", obj=refund, community_id=payment.community_id
        )
    ask_provider(refund)
    refund.refresh_from_db()
    return refund


def ask_provider(refund: Refund) -> None:
    """Send an online refund to its provider (same out_refund_no every time: idempotent)."""
    payment = refund.payment
    try:
        result = provider_for(payment.channel).refund(
            out_trade_no=payment.out_trade_no,
            out_refund_no=refund.out_refund_no,
            refund_fen=refund.amount_fen,
            total_fen=payment.amount_fen,
            reason=refund.reason,
        )
    except ProviderUnavailable:
        return  # stays pending; the periodic query asks again (same out_refund_no: idempotent)
    if result.done:
        finish_refund(refund.pk)
    elif not result.accepted:
        fail_refund(refund.pk)


def _what_is_left(payment: Payment) -> tuple[int, dict[int, int]]:
    """What the payment still stands for, from its postings: (prepayment fen, {bill: fen})."""
    entries = LedgerEntry.objects.filter(transaction__payment=payment)
    prepaid = 0
    bills: dict[int, int] = defaultdict(int)
    for row in entries.values("account", "bill_id").annotate(d=Sum("debit_fen"), c=Sum("credit_fen")):
        net = row["c"] - row["d"]
        if row["account"] == Account.PREPAYMENT or (
            row["account"] == Account.REFUND and row["bill_id"] is None
        ):
            prepaid += net
        elif row["account"] in (Account.RECEIVABLE, Account.REFUND):
            bills[row["bill_id"]] += net
    return prepaid, {b: fen for b, fen in bills.items() if fen > 0}


def _reopen_bill(bill_id: int, fen: int) -> bool:
    """The bill is owed again by `fen` (never below zero paid, never a void bill)."""
    return bool(
        Bill.objects.filter(pk=bill_id, paid_fen__gte=fen)
        .exclude(status=BillStatus.VOID)
        .update(
            paid_fen=F("paid_fen") - fen,
            status=Case(
                When(paid_fen=fen, then=Value(BillStatus.UNPAID)), default=Value(BillStatus.PARTLY_PAID)
            ),
            version=F("version") + 1,
        )
    )


@transaction.atomic
def finish_refund(refund_id: int, *, actor: User | None = None) -> bool:
    """The money went back: give back what the payment bought (or, for a deposit, take it out of
    the deposit held) and post it. Once."""
    if not Refund.objects.filter(pk=refund_id, status=RefundStatus.PENDING).update(
        status=RefundStatus.DONE, done_at=timezone.now()
    ):
        return False
    refund = Refund.objects.select_related("payment", "deposit_bill").get(pk=refund_id)
    payment = refund.payment
    account, sub = money_account(payment.channel)
    deposit = refund.deposit_bill
    if deposit is None:
        legs = _bought_back(payment, refund.amount_fen)
    else:  # the deposit held is what goes back; the bill was paid and stays paid
        legs = [out_of_deposit(deposit, refund.amount_fen)]
    ledger.post(
        community_id=payment.community_id,
        kind="refund" if deposit is None else "deposit_refund",
        legs=[ledger.credit(account, refund.amount_fen, sub=sub), *legs],
        bill=deposit,
        payment=payment,
        actor=actor,
        memo=refund.out_refund_no,
    )
    if payment.house_id:
        publish(
            "billing.refunded",
            {"payment": payment.pk, "refund": refund.pk, "amount_fen": refund.amount_fen},
            users=household_user_ids(payment.house_id),
            community_id=payment.community_id,
        )
    return True


def out_of_deposit(bill: Bill, fen: int) -> ledger.Leg:
    """Money leaving the deposit held for a deposit bill (refunded, or kept as a deduction)."""
    return ledger.debit(Account.DEPOSITS, fen, sub=FeeKind.DEPOSIT, house_id=bill.house_id, bill_id=bill.pk)


def _bought_back(payment: Payment, fen: int) -> list[ledger.Leg]:
    """The debit legs of refunding `fen` of a payment: what it bought is given back, the
    prepaid part first, then its bills newest first (owed again)."""
    legs: list[ledger.Leg] = []
    left = fen
    prepaid, bills = _what_is_left(payment)
    take = min(left, prepaid)
    if take and payment.house_id is not None:  # only a house's payment has a prepaid part
        spent = not HouseAccount.objects.filter(house_id=payment.house_id, prepaid_fen__gte=take).update(
            prepaid_fen=F("prepaid_fen") - take
        )
        # Already spent on later bills: the money is gone from the prepayment, an expense now.
        legs.append(
            ledger.debit(Account.REFUND, take, house_id=payment.house_id)
            if spent
            else ledger.debit(Account.PREPAYMENT, take, house_id=payment.house_id)
        )
        left -= take
    for bill_id in sorted(bills, reverse=True):
        take = min(left, bills[bill_id])
        if not take:
            break
        if _reopen_bill(bill_id, take):
            legs.append(ledger.debit(Account.RECEIVABLE, take, bill_id=bill_id))
        else:
            legs.append(ledger.debit(Account.REFUND, take, bill_id=bill_id))
        left -= take
    if left:  # more than the payment stands for: cannot happen while refunded_fen ≤ amount
        raise ServiceError("refund_too_large", _("退款金额超过可退金额"))
    return legs


@transaction.atomic
def fail_refund(refund_id: int) -> bool:
    """The provider refused: the payment and, for a deposit, the deposit hold the money again."""
    refund = Refund.objects.filter(pk=refund_id).first()
    if refund is None or not Refund.objects.filter(pk=refund_id, status=RefundStatus.PENDING).update(
        status=RefundStatus.FAILED
    ):
        return False
    Payment.objects.filter(pk=refund.payment_id).update(refunded_fen=F("refunded_fen") - refund.amount_fen)
    if refund.deposit_bill_id is not None:
        Bill.objects.filter(pk=refund.deposit_bill_id, deposit_released_fen__gte=refund.amount_fen).update(
            deposit_released_fen=F("deposit_released_fen") - refund.amount_fen, version=F("version") + 1
        )
    return True


def refund_notice(notice: Notice) -> tuple[str, bool, bool]:
    """A provider's refund notification (outcome, acknowledge, flag)."""
    refund = Refund.objects.filter(out_refund_no=notice.out_refund_no).first()
    if refund is None:
        return "unknown_refund", True, True
    if notice.refund_status == "done":
        return ("refunded" if finish_refund(refund.pk) else "already_refunded"), True, False
    if notice.refund_status == "failed":
        return ("refund_failed" if fail_refund(refund.pk) else "already_refunded"), True, True
    return "refund_pending", True, False


def query_pending_refunds(now: datetime | None = None, limit: int = 200) -> int:
    now = now or timezone.now()
    finished = 0
    pending = Refund.objects.filter(
        Q(status=RefundStatus.PENDING, payment__channel__in=ONLINE, decided_at__lt=now - QUERY_AFTER)
    ).select_related("payment")[:limit]
    for refund in pending:
        try:
            result = provider_for(refund.payment.channel).refund_query(refund.out_refund_no)
        except (ProviderUnavailable, ServiceError):
            continue
        if result.done:
            finished += finish_refund(refund.pk)
        elif not result.accepted:
            fail_refund(refund.pk)
    return finished
