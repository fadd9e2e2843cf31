"""One-off charges (一次性收费) and deposits (装修押金) issued by staff to a house, and the
refund of a deposit, in full or with deductions that become revenue.

A deposit bill is paid like any bill; what it still holds is `paid_fen − deposit_released_fen`,
and a refund or deduction raises `deposit_released_fen` by a conditional update, so two clerks
refunding at once never return the same fen. The money goes back through the channel it came
in, as a `Refund` naming the deposit bill (refunds.py finishes it: Dr deposits, the bill stays
paid): counter channels at once (cash out of the drawer, a bank transfer), online channels
through the provider once the release has committed, pending until the provider says it is
done. A refund the provider refuses gives its amount back to the deposit held.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.billing.choices import COUNTER, Account, BillStatus, FeeKind, PaymentStatus
from linli.billing.models import Bill, FeeItem, FeeStandard, PaymentAllocation, Refund
from linli.billing.services import amounts, ledger, refunds
from linli.billing.services.common import provider_for
from linli.billing.services.money import require_any
from linli.billing.services.runs import write_bills
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
    bill = Bill(
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
    try:
        with transaction.atomic():
            write_bills([bill], community_id=house.community_id, kind=fee_item.kind, memo=note, actor=actor)
    except IntegrityError:
        raise Conflict(
            "charge_already_issued", _("今天已向该房屋开具过此项收费"), fields={"fee_item": fee_item.pk}
        ) from None
    audit.record(actor=actor, action="charge_issued", obj=bill, community_id=house.community_id)
    return bill


def held_fen(bill: Bill) -> int:
    return bill.paid_fen - bill.deposit_released_fen


def _return_money(bill: Bill, refund: int, reason: str, actor: Actor) -> list[Refund]:
    """Pays `refund` back through the payments that paid the deposit, newest first, each as a
    pending Refund of the deposit: the counter's finished at once, the online ones left for the
    provider (asked by the caller once this has committed)."""
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
        if payment.channel not in COUNTER:
            provider_for(payment.channel)  # refused before anything is written if not offered
        started = refunds.start_refund(payment, give, reason, actor=actor, deposit_bill=bill)
        if started is None:
            continue
        if payment.channel in COUNTER:  # the cash is handed back, or the transfer made, now
            refunds.finish_refund(started.pk, actor=actor)
        done.append(started)
        remaining -= give
        if not remaining:
            return done
    raise ServiceError(
        "deposit_payment_missing", _("找不到可原路退回的押金收款记录"), fields={"bill": bill.pk}
    )


def do_refund_deposit(
    *, actor: Actor, bill: Bill, refund_fen, deduct_fen=0, reason: str = ""
) -> list[Refund]:
    """Gives back `refund_fen` of a paid deposit and keeps `deduct_fen` as revenue (with a reason).
    Online refunds are sent to their provider after the release has committed; each is then
    done, pending (finished by the provider's notification or the periodic query) or failed
    (its amount held again)."""
    with transaction.atomic():
        started = _release_deposit(actor, bill, refund_fen, deduct_fen, reason)
    for refund in started:
        if refund.payment.channel not in COUNTER:
            refunds.ask_provider(refund)
        refund.refresh_from_db()
    return started


def _release_deposit(actor: Actor, bill: Bill, refund_fen, deduct_fen, reason: str) -> list[Refund]:
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
                refunds.out_of_deposit(bill, deduct),
                ledger.credit(Account.REVENUE, deduct, sub="deposit_deduction"),
            ],
            bill=bill,
            actor=actor,
            memo=reason,
        )
    started = _return_money(bill, refund, reason or str(_("押金退还")), actor) if refund else []
    bill.refresh_from_db()
    audit.record(
        actor=actor,
        action="deposit_refunded",
        obj=bill,
        community_id=bill.community_id,
        after={
            "refund_fen": refund,
            "deduct_fen": deduct,
            "reason": reason,
            "refunds": [r.pk for r in started],
        },
    )
    return started
