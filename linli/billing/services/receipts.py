"""What a receipt says, read once for its PDF, its print view and the public verification page.

The lines come from the payment's own ledger posting, not from its allocations: money that
`settle()` could not put on a bill (paid meanwhile elsewhere) went to the prepayment, and the
receipt says so — a receipt that disagreed with the ledger by one line would lose the trust it
is there to give.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _

from linli.billing.choices import Account, Channel, PaymentPurpose
from linli.billing.models import LedgerEntry, Receipt
from linli.core.masking import mask_name


@dataclass(frozen=True)
class ReceiptLine:
    item: str
    period_start: date | None
    period_end: date | None
    amount_fen: int


@dataclass(frozen=True)
class ReceiptView:
    number: str
    verify_code: str
    community: str
    house: str
    payer: str  # masked
    channel: str
    paid_at: datetime | None
    total_fen: int
    refunded_fen: int
    lines: list[ReceiptLine]
    on_behalf: bool  # 代办 at the counter


def receipt_view(receipt: Receipt) -> ReceiptView:
    payment = receipt.payment
    entries = (
        LedgerEntry.objects.filter(
            transaction__payment=payment, transaction__kind="payment", credit_fen__gt=0
        )
        .select_related("bill__fee_item")
        .order_by("id")
    )
    lines = []
    for entry in entries:
        if entry.account == Account.RECEIVABLE and entry.bill is not None:
            bill = entry.bill
            lines.append(
                ReceiptLine(bill.fee_item.name, bill.period_start, bill.period_end, entry.credit_fen)
            )
        elif entry.account == Account.PREPAYMENT:
            label = _("预存款") if payment.purpose == PaymentPurpose.PREPAY else _("余额转预存")
            lines.append(ReceiptLine(label, None, None, entry.credit_fen))
    # Bills by period, then what went to the prepayment (None sorts first on some databases).
    lines.sort(key=lambda line: (line.period_start is None, line.period_start or date.min))
    house = payment.house
    payer = payment.on_behalf_of or payment.payer
    return ReceiptView(
        number=receipt.number,
        verify_code=receipt.verify_code,
        community=receipt.community.name,
        house=house.label if house is not None else "",
        payer=mask_name(payer.name) if payer is not None else "",
        channel=str(Channel(payment.channel).label),
        paid_at=payment.paid_at,
        total_fen=payment.amount_fen,
        refunded_fen=payment.refunded_fen,
        lines=lines,
        on_behalf=payment.on_behalf_of_id is not None,
    )
