"""Late fees (滞纳金) by the fee item's policy, off by default (a daily rate of 0).

A bill past its due date accrues `late_fee_daily_bp` ten-thousandths of its principal (the
charge, `amount_fen`) per day late, rounded down to the fen, never more than `late_fee_cap_bp`
ten-thousandths of the principal in all, and only while it is not paid. What a bill should
carry on a day is a function of the day alone, so the daily job sets the bill to that figure
by a conditional update and posts the difference: running it twice the same day adds
nothing, and a day the scheduler missed is caught up the next. A late fee is waived through
a waiver like any other amount.
"""

from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from linli.billing.choices import Account, FeeKind
from linli.billing.models import OPEN, Bill, FeeItem
from linli.billing.services import ledger
from linli.billing.services.money import open_bills
from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import ServiceError
from linli.core.permissions import require
from linli.core.roles import Action

MAX_DAILY_BP = 100  # 1 % a day; courts reduce anything near it
MAX_CAP_BP = 10000  # never more than the principal itself
BP = 10000


def late_fee_due(*, principal_fen: int, daily_bp: int, cap_bp: int, days_late: int) -> int:
    """What a bill `days_late` days past due should carry in late fees, in whole fen."""
    if daily_bp <= 0 or days_late <= 0:
        return 0
    return min(principal_fen * daily_bp * days_late // BP, principal_fen * cap_bp // BP)


def charge_late_fees(today: date) -> int:
    """Brings every overdue bill with a late-fee policy up to today's figure; returns how many
    bills were charged."""
    charged = 0
    overdue = (
        open_bills()
        .filter(due_on__lt=today, fee_item__late_fee_daily_bp__gt=0)
        .exclude(fee_item__kind=FeeKind.DEPOSIT)
        .values_list(
            "id",
            "community_id",
            "amount_fen",
            "late_fee_fen",
            "due_on",
            "fee_item__late_fee_daily_bp",
            "fee_item__late_fee_cap_bp",
        )
        .order_by("id")
    )
    for bill_id, community_id, principal, carried, due_on, daily_bp, cap_bp in overdue.iterator():
        target = late_fee_due(
            principal_fen=principal, daily_bp=daily_bp, cap_bp=cap_bp, days_late=(today - due_on).days
        )
        if target <= carried:
            continue
        with transaction.atomic():
            moved = Bill.objects.filter(pk=bill_id, late_fee_fen=carried, status__in=OPEN).update(
                late_fee_fen=target, version=F("version") + 1
            )
            if not moved:
                continue  # paid, voided or charged by another run meanwhile
            ledger.post(
                community_id=community_id,
                kind="late_fee",
                legs=[
                    ledger.debit(Account.RECEIVABLE, target - carried, bill_id=bill_id),
                    ledger.credit(Account.LATE_FEE, target - carried),
                ],
                memo=f"{today:%Y-%m-%d}",
            )
            charged += 1
    return charged


def _policy(item: FeeItem) -> dict:
    return {"late_fee_daily_bp": item.late_fee_daily_bp, "late_fee_cap_bp": item.late_fee_cap_bp}


@transaction.atomic
def do_set_late_fee_policy(*, actor: Actor, fee_item: FeeItem, daily_bp: int, cap_bp: int) -> FeeItem:
    require(actor, Action.BILLING_SETUP, fee_item.community_id)
    if not (0 <= daily_bp <= MAX_DAILY_BP and 0 <= cap_bp <= MAX_CAP_BP):
        raise ServiceError(
            "invalid_late_fee_policy",
            _("日费率应在 0 到万分之一百之间，上限应在 0 到本金的 100% 之间"),
            fields={"late_fee_daily_bp": daily_bp, "late_fee_cap_bp": cap_bp},
        )
    if daily_bp and not cap_bp:
        raise ServiceError(
            "late_fee_cap_required", _("开启滞纳金时必须设置上限"), fields={"late_fee_cap_bp": _("必填")}
        )
    before = _policy(fee_item)
    FeeItem.objects.filter(pk=fee_item.pk).update(late_fee_daily_bp=daily_bp, late_fee_cap_bp=cap_bp)
    fee_item.refresh_from_db()
    audit.record_change(
        actor=actor, obj=fee_item, community_id=fee_item.community_id, before=before, snapshot=_policy
    )
    return fee_item
