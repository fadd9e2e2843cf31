"""Telling a household that its money arrived: the resident who paid online sees it settled even
when the provider's notification came after they closed the page, and the one who paid cash at
the counter (or whose prepayment covered a new bill) has it in writing, with the receipt."""

from django.urls import reverse
from django.utils.translation import gettext

from linli.billing.models import Payment
from linli.core.shell.formatting import yuan
from linli.notify.services import notify
from linli.registry.queries import household_user_ids

KIND = "billing.paid"


def tell_household_paid(payment_id: int) -> int:
    payment = Payment.objects.select_related("receipt").filter(pk=payment_id).first()
    if payment is None or payment.house_id is None:  # a temporary parking stay's: no household
        return 0
    return notify(
        users=household_user_ids(payment.house_id),
        kind=KIND,
        title=gettext("缴费成功"),
        body=gettext("已收到 %(amount)s（%(channel)s），电子收据 %(number)s。")
        % {
            "amount": yuan(payment.amount_fen),
            "channel": payment.get_channel_display(),
            "number": payment.receipt.number,
        },
        link=reverse("billing:my_receipts"),
        community_id=payment.community_id,
    )
