"""Bills that other apps raise for what a resident books or buys: a parking pass, a shared
space, a home service, a venue's deposit (docs/billing.md, "Bills from other apps").

The calling app has already decided that the resident may buy it; the bill is the system's, one
live bill per sold thing (`source`, `source_id`, unique while not void), entered in the ledger
like any other bill (runs.write_bills) under the community's fee item of that kind, and paid
through the same channels: online from the resident's bills, or at the counter. The app reads
whether it is paid with `linli.billing.queries.app_bill`, and calls `cancel_app_bill` when the
booking behind it is cancelled.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.billing.choices import FeeKind
from linli.billing.models import Bill, FeeItem, FeeStandard
from linli.billing.queries import app_bill
from linli.billing.services import amounts
from linli.billing.services.runs import void, write_bills
from linli.billing.services.setup import standards_in_force
from linli.core import audit
from linli.core.errors import ServiceError
from linli.registry.models import House

# Re-exported: the calling apps name the kind of what they sold (FeeKind.ONE_OFF, DEPOSIT,
# PARKING_MONTHLY, PARKING_TEMPORARY) and may reach billing only through its services and queries.
__all__ = ["FeeKind", "cancel_app_bill", "issue_app_bill"]


def _item_and_standard(community_id: int, kind: str, house: House | None) -> tuple[FeeItem, FeeStandard]:
    item = FeeItem.objects.filter(community_id=community_id, kind=kind, active=True).order_by("id").first()
    if item is None:
        raise ServiceError(
            "no_fee_item",
            _("本小区尚未设置“%(kind)s”收费项目，请联系物业") % {"kind": FeeKind(kind).label},
        )
    standards = standards_in_force(item, timezone.localdate())
    standard = (standards.get(house.type) if house else None) or standards.get("")
    if standard is None and standards:
        standard = next(iter(standards.values()))
    if standard is None:
        raise ServiceError("no_fee_standard", _("该收费项目当前没有适用的收费标准"))
    return item, standard


@transaction.atomic
def issue_app_bill(
    *,
    community_id: int,
    house: House | None,
    payer_person_id: int | None,
    kind: str,
    amount_fen: int,
    label: str,
    source: str,
    source_id: int,
    due_on: date | None = None,
) -> Bill:
    """The live bill for `source`/`source_id`, issued now if there is none (asking twice, or two
    requests at once, give the same bill)."""
    existing = app_bill(source, source_id)
    if existing is not None:
        return existing
    item, standard = _item_and_standard(community_id, kind, house)
    amount = amounts.fen(amount_fen)
    today = timezone.localdate()
    bill = Bill(
        community_id=community_id,
        building_id=house.building_id if house else None,
        house=house,
        payer_id=payer_person_id,
        fee_item=item,
        standard=standard,
        period_start=today,
        period_end=today,
        quantity=1,
        lines=[{"label": label[:200], "amount_fen": amount}],
        amount_fen=amount,
        due_on=due_on or today,
        source=source,
        source_id=source_id,
    )
    try:
        with transaction.atomic():
            write_bills([bill], community_id=community_id, kind=item.kind, memo=f"{source} {source_id}")
    except IntegrityError:
        found = app_bill(source, source_id)  # the same thing billed by a racing request
        if found is None:
            raise
        return found
    audit.record(actor=None, action="billing.app_bill_issued", obj=bill, community_id=community_id)
    return bill


@transaction.atomic
def cancel_app_bill(*, source: str, source_id: int, reason: str) -> Bill | None:
    """The booking behind the bill was cancelled: an unpaid bill is voided; one with money paid
    on it is returned as it is, for the refund staff decide (refunds.py, a deposit's refund).
    None when there is no live bill."""
    bill = app_bill(source, source_id)
    if bill is None or bill.paid_fen:
        return bill
    return void(bill, reason[:200] or "cancelled", None)
