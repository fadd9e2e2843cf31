"""Waivers and discounts (减免): staff ask, a manager other than the asker decides.

Nothing changes on the bill until approval; then the discount is applied by a conditional
update that never takes the bill below zero owed (it may have been paid or discounted since
the request), the bill is paid when nothing is left, and the ledger moves the amount from
receivable to discount. Waiving a late fee is a waiver like any other: the amount counts
against what the bill owes, late fee included.
"""

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.billing.choices import Account, ApprovalStatus, BillStatus, FeeKind
from linli.billing.models import DUE, OPEN, Bill, Waiver
from linli.billing.services import amounts, ledger
from linli.billing.services.money import require_any, require_open
from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, Forbidden, ServiceError
from linli.core.events import publish
from linli.core.permissions import require
from linli.core.roles import Action

ASKERS = (Action.BILLING_COLLECT, Action.BILLING_SETUP)


def _exceeds_owed(bill: Bill, amount: int) -> ServiceError:
    return ServiceError(
        "waiver_exceeds_owed",
        _("减免金额不能超过账单未缴金额"),
        fields={"amount_fen": amount, "owed_fen": bill.owed_fen},
    )


@transaction.atomic
def do_request_waiver(*, actor: Actor, bill: Bill, amount_fen, reason: str) -> Waiver:
    require_any(actor, ASKERS, bill.community_id, bill.building_id)
    amount = amounts.fen(amount_fen)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("reason_required", _("请填写减免原因"), fields={"reason": _("必填")})
    require_open(bill)
    if bill.fee_item.kind == FeeKind.DEPOSIT:
        # A deposit is held money, not revenue to forgo: one not wanted is voided, one paid refunded.
        raise ServiceError("deposit_not_waivable", _("押金不能减免"), fields={"bill": bill.pk})
    if amount > bill.owed_fen:
        raise _exceeds_owed(bill, amount)
    waiver = Waiver.objects.create(
        bill=bill, community_id=bill.community_id, amount_fen=amount, reason=reason[:200], requested_by=actor
    )
    audit.record(actor=actor, action="waiver_requested", obj=waiver, community_id=bill.community_id)
    publish(
        "billing.waiver_requested", {"waiver": waiver.pk, "bill": bill.pk}, community_id=bill.community_id
    )
    return waiver


def _decide(actor: Actor, waiver: Waiver, status: str) -> Waiver:
    require(actor, Action.BILLING_APPROVE, waiver.community_id, waiver.bill.building_id)
    if waiver.requested_by_id == actor.pk:
        raise Forbidden(_("不能审批自己提交的减免申请"), code="waiver_own_request")
    decided = Waiver.objects.filter(pk=waiver.pk, status=ApprovalStatus.REQUESTED).update(
        status=status, decided_by=actor, decided_at=timezone.now(), updated_at=timezone.now()
    )
    if not decided:
        waiver.refresh_from_db()
        raise Conflict(
            "waiver_already_decided", _("该减免申请已处理"), fields={"status": waiver.get_status_display()}
        )
    waiver.refresh_from_db()
    return waiver


@transaction.atomic
def do_approve_waiver(*, actor: Actor, waiver: Waiver) -> Waiver:
    waiver = _decide(actor, waiver, ApprovalStatus.APPROVED)
    bill, amount = waiver.bill, waiver.amount_fen
    # Upper bound of what may have been paid for the discount to fit (pre-update values).
    limit = DUE - amount
    applied = Bill.objects.filter(pk=bill.pk, status__in=OPEN, paid_fen__lte=limit).update(
        discount_fen=F("discount_fen") + amount,
        status=Case(When(paid_fen__gte=limit, then=Value(BillStatus.PAID)), default=F("status")),
        version=F("version") + 1,
    )
    if not applied:
        bill.refresh_from_db()
        if bill.status not in OPEN:
            require_open(bill)
        raise _exceeds_owed(bill, amount)  # paid or discounted since the request: nothing applied
    ledger.post(
        community_id=bill.community_id,
        kind="waiver",
        legs=[
            ledger.debit(Account.DISCOUNT, amount),
            ledger.credit(Account.RECEIVABLE, amount, bill_id=bill.pk),
        ],
        bill=bill,
        actor=actor,
        memo=waiver.reason,
    )
    audit.record(actor=actor, action="waiver_approved", obj=waiver, community_id=waiver.community_id)
    return waiver


@transaction.atomic
def do_reject_waiver(*, actor: Actor, waiver: Waiver) -> Waiver:
    waiver = _decide(actor, waiver, ApprovalStatus.REJECTED)
    audit.record(actor=actor, action="waiver_rejected", obj=waiver, community_id=waiver.community_id)
    return waiver
