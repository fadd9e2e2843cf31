"""One-off charges (一次性收费) and deposits (装修押金) issued by staff to a house, and the
refund of a deposit, in full or with deductions that become revenue.

A deposit bill is paid like any bill; what it still holds is `paid_fen − deposit_released_fen`,
and a refund or deduction raises `deposit_released_fen` by a conditional update, so two clerks
refunding at once never return the same fen. The money goes back through the channel it came
in: counter channels at once (cash out of the drawer, a bank transfer), online channels through
the provider by `refund_online`, the seam the payment providers plug into.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.billing.choices import COUNTER, Account, BillStatus, FeeKind, PaymentStatus, RefundStatus
from linli.billing.models import Bill, FeeItem, FeeStandard, Payment, PaymentAllocation, Refund
from linli.billing.providers.base import RefundResult
from linli.billing.services import amounts, ledger
from linli.billing.services.money import require_any
from linli.billing.services.settle import money_account, new_trade_no
from linli.billing.services.setup import standards_in_force
from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, ServiceError
from linli.core.permissions import require
from linli.core.roles import Action
from linli.registry.choices import OWNING
from linli.registry.models import House, Occupancy

CHARGE_KINDS = (FeeKind.ONE_OFF, FeeKind.DEPOSIT)
ISSUERS = (Action.BILLING_SETUP, Action.BILLING_COLLECT)


def refund_online(payment: Payment, fen: int, reason: str) -> RefundResult:
    """Send `fen` of an online payment back through its provider. The payment providers replace
    this seam; until one is configured, an online refund is refused and nothing is written."""
    raise ServiceError(
        "refund_provider_unavailable",
        _("该支付渠道尚未配置在线退款，暂时无法原路退回"),
        fields={"channel": payment.channel},
        status=503,
    )


def _standard_for(item: FeeItem, house: House) -> FeeStandard:
    """The house type's own published price before the item's all-types one."""
    standards = standards_in_force(item, timezone.localdate())
    standard = standards.get(house.type) or standards.get("")
    if standard is None:
        raise ServiceError(
            "no_fee_standard", _("该收费项目当前没有适用的收费标准"), fields={"fee_item": item.pk}
        )
    return standard


def _payer_of(house: House) -> int | None:
    """The owner pays a one-off charge or a deposit (the first registered owner, if several)."""
    owners = Occupancy.objects.active().filter(house=house, relation__in=OWNING)
    return owners.order_by("relation", "id").values_list("person_id", flat=True).first()


@transaction.atomic
def do_issue_charge(*, actor: Actor, house: House, fee_item: FeeItem, note: str, amount_fen=None) -> Bill:
    """A one-off or deposit bill for a house: the standard's amount unless staff give another."""
    require_any(actor, ISSUERS, house.community_id, house.building_id)
    if fee_item.kind not in CHARGE_KINDS or fee_item.community_id != house.community_id:
        raise ServiceError(
            "not_a_charge_item", _("只能开具一次性收费或押金项目"), fields={"fee_item": fee_item.pk}
        )
    note = (note or "").strip()
    if not note:
        raise ServiceError("note_required", _("请填写收费说明"), fields={"note": _("必填")})
    standard = _standard_for(fee_item, house)
    amount = amounts.fen(standard.unit_price_fen if amount_fen is None else amount_fen)
    today = timezone.localdate()
    try:
        with transaction.atomic():
            bill = Bill.objects.create(
                community_id=house.community_id,
                building_id=house.building_id,
                house=house,
                payer_id=_payer_of(house),
                fee_item=fee_item,
                standard=standard,
                period_start=today,
                period_end=today,
                quantity=1,
                lines=[{"label": fee_item.name, "note": note[:200], "amount_fen": amount}],
                amount_fen=amount,
                due_on=today + timedelta(days=fee_item.due_days),
            )
    except IntegrityError:
        raise Conflict(
            "charge_already_issued", _("今天已向该房屋开具过此项收费"), fields={"fee_item": fee_item.pk}
        ) from None
    credit_account = Account.DEPOSITS if fee_item.kind == FeeKind.DEPOSIT else Account.REVENUE
    ledger.post(
        community_id=house.community_id,
        kind="bill_issued",
        legs=[
            ledger.debit(Account.RECEIVABLE, amount, bill_id=bill.pk),
            ledger.credit(credit_account, amount, sub=fee_item.kind, house_id=house.pk, bill_id=bill.pk),
        ],
        bill=bill,
        actor=actor,
        memo=note,
    )
    audit.record(actor=actor, action="charge_issued", obj=bill, community_id=house.community_id)
    return bill


def held_fen(bill: Bill) -> int:
    return bill.paid_fen - bill.deposit_released_fen


def _out_of_deposit(bill: Bill, fen: int) -> ledger.Leg:
    return ledger.debit(Account.DEPOSITS, fen, sub=FeeKind.DEPOSIT, house_id=bill.house_id, bill_id=bill.pk)


def _return_money(bill: Bill, refund: int, reason: str, actor: Actor) -> list[Refund]:
    """Pays `refund` back through the payments that paid the deposit, newest first."""
    done: list[Refund] = []
    remaining = refund
    allocations = (
        PaymentAllocation.objects.filter(bill=bill, payment__status=PaymentStatus.PAID)
        .select_related("payment")
        .order_by("-payment_id")
    )
    for allocation in allocations:
        payment = allocation.payment
        give = min(remaining, allocation.amount_fen, payment.amount_fen - payment.refunded_fen)
        if give <= 0:
            continue
        taken = Payment.objects.filter(pk=payment.pk, refunded_fen__lte=F("amount_fen") - give).update(
            refunded_fen=F("refunded_fen") + give, version=F("version") + 1
        )
        if not taken:
            continue
        status = RefundStatus.DONE
        if payment.channel not in COUNTER:
            status = RefundStatus.DONE if refund_online(payment, give, reason).done else RefundStatus.PENDING
        account, sub = money_account(payment.channel)
        done.append(
            Refund.objects.create(
                payment=payment,
                community_id=bill.community_id,
                amount_fen=give,
                reason=reason[:200],
                out_refund_no=new_trade_no("RF"),
                status=status,
                requested_by=actor,
                done_at=timezone.now() if status == RefundStatus.DONE else None,
            )
        )
        ledger.post(
            community_id=bill.community_id,
            kind="deposit_refund",
            legs=[
                _out_of_deposit(bill, give),
                ledger.credit(account, give, sub=sub),
            ],
            bill=bill,
            payment=payment,
            actor=actor,
            memo=reason,
        )
        remaining -= give
        if not remaining:
            return done
    raise ServiceError(
        "deposit_payment_missing", _("找不到可原路退回的押金收款记录"), fields={"bill": bill.pk}
    )


@transaction.atomic
def do_refund_deposit(
    *, actor: Actor, bill: Bill, refund_fen, deduct_fen=0, reason: str = ""
) -> list[Refund]:
    """Gives back `refund_fen` of a paid deposit and keeps `deduct_fen` as revenue (with a reason)."""
    require(actor, Action.BILLING_APPROVE, bill.community_id, bill.building_id)
    if bill.fee_item.kind != FeeKind.DEPOSIT or bill.status == BillStatus.VOID:
        raise ServiceError("not_a_deposit", _("该账单不是押金"), fields={"bill": bill.pk})
    refund = amounts.fen(refund_fen, field="refund_fen", allow_zero=True)
    deduct = amounts.fen(deduct_fen, field="deduct_fen", allow_zero=True)
    reason = (reason or "").strip()
    if not refund + deduct:
        raise ServiceError("invalid_amount", _("退还金额与扣除金额不能都为零"), fields={"refund_fen": 0})
    if deduct and not reason:
        raise ServiceError("reason_required", _("扣除押金时请填写原因"), fields={"reason": _("必填")})
    released = Bill.objects.filter(
        pk=bill.pk, deposit_released_fen__lte=F("paid_fen") - (refund + deduct)
    ).update(deposit_released_fen=F("deposit_released_fen") + refund + deduct, version=F("version") + 1)
    if not released:
        bill.refresh_from_db()
        raise ServiceError(
            "deposit_refund_exceeds_held",
            _("退还与扣除合计不能超过押金余额"),
            fields={"held_fen": held_fen(bill), "asked_fen": refund + deduct},
        )
    if deduct:
        ledger.post(
            community_id=bill.community_id,
            kind="deposit_deduction",
            legs=[
                _out_of_deposit(bill, deduct),
                ledger.credit(Account.REVENUE, deduct, sub="deposit_deduction"),
            ],
            bill=bill,
            actor=actor,
            memo=reason,
        )
    refunds = _return_money(bill, refund, reason or str(_("押金退还")), actor) if refund else []
    bill.refresh_from_db()
    audit.record(
        actor=actor,
        action="deposit_refunded",
        obj=bill,
        community_id=bill.community_id,
        after={"refund_fen": refund, "deduct_fen": deduct, "reason": reason},
    )
    return refunds
