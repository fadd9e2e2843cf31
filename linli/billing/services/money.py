"""What the money services share (prepayment, waivers, late fees, charges and deposits,
reminders): amounts from people checked once, the same way, and who may act on a bill."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from linli.billing.models import DUE, OPEN, Bill
from linli.core.actor import Actor
from linli.core.errors import Forbidden, ServiceError
from linli.core.permissions import may

# 10 million 元: far above any fee, deposit or waiver, far below what a BigInteger holds.
MAX_FEN = 10**9


def checked_fen(value, *, field: str = "amount_fen", allow_zero: bool = False) -> int:
    """An amount a person typed, as whole fen: a fraction of a fen, a negative, zero (unless
    allowed) or an absurd amount is refused with one stable code."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = Decimal("NaN")
    low = 0 if allow_zero else 1
    if not amount.is_finite() or amount != amount.to_integral_value() or not low <= amount <= MAX_FEN:
        raise ServiceError(
            "invalid_amount",
            _("金额应为不超过一千万元的整数分，且不能为负数或小数分"),
            fields={field: str(value)},
        )
    return int(amount)


def require_any(actor: Actor, actions: tuple[str, ...], community_id: int, building_id: int | None) -> None:
    """The actor holds at least one of `actions` where the object is (community or building)."""
    if not any(may(actor, action, community_id, building_id) for action in actions):
        raise Forbidden(_("您没有执行此操作的权限"))


def require_open(bill: Bill) -> None:
    if bill.status not in OPEN:
        raise ServiceError(
            "bill_not_open", _("该账单已缴清或已作废"), fields={"bill": bill.pk, "status": bill.status}
        )


def open_bills():
    """Bills that still owe something (the receivable of each is what `owed_fen` says)."""
    return Bill.objects.filter(status__in=OPEN, paid_fen__lt=DUE)
