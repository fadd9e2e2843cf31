"""What the money services share (prepayment, waivers, late fees, charges and deposits,
reminders): who may act on a bill, and which bills are open. Amounts from people are read by
`amounts`."""

from django.utils.translation import gettext_lazy as _

from linli.billing.models import DUE, OPEN, Bill
from linli.core.actor import Actor
from linli.core.errors import Forbidden, ServiceError
from linli.core.permissions import may


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
