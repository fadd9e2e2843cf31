"""Temporary parking paid before leaving (PARK-1): the fee of a stay still in progress, the bill
a driver pays it with, and what "paid" means at the exit barrier (docs/parking.md, "A visitor
pays at the exit").

The fee is the stay from entry to now under the community's published temporary parking
standard (pricing.parking_fee: free minutes, periods, daily cap), less what was already paid on
the stay. Paying gives the driver `LINLI_PARKING_EXIT_GRACE_MINUTES` to reach the barrier; a car
still inside after that owes the difference for the periods begun since (a top-up bill), so a
stay may have several bills, at most one open at a time (constraint bill_one_open_per_stay).
Bills of stays have no house and no payer: anyone holding the stay's link may pay them.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from linli.billing import pricing, providers
from linli.billing.choices import ONLINE, Channel, FeeKind, PaymentStatus
from linli.billing.models import OPEN, Bill, FeeItem, FeeStandard, Payment
from linli.billing.services.runs import void, write_bills


def online_channels() -> list[tuple[str, str]]:
    """The channels a driver can pay on a phone, as (value, label)."""
    return [(c, str(Channel(c).label)) for c in providers.enabled()]


# What the guard at an exit booth takes.
BOOTH_CHANNELS = [(c.value, c.label) for c in (Channel.CASH, Channel.CARD)]


def grace() -> timedelta:
    return timedelta(minutes=settings.LINLI_PARKING_EXIT_GRACE_MINUTES)


@dataclass(frozen=True)
class StayFee:
    fee_fen: int  # the whole stay, entry to `at`
    paid_fen: int  # paid on the stay's bills so far
    last_paid_at: datetime | None
    at: datetime
    lines: list
    quantity: Decimal
    item: FeeItem
    standard: FeeStandard

    @property
    def in_grace(self) -> bool:
        return self.last_paid_at is not None and self.at <= self.last_paid_at + grace()

    @property
    def owed_fen(self) -> int:
        """What must be paid before the barrier opens."""
        return 0 if self.in_grace else max(self.fee_fen - self.paid_fen, 0)

    @property
    def leave_by(self) -> datetime | None:
        return self.last_paid_at + grace() if self.in_grace and self.last_paid_at else None


def _tariff(community_id: int, at: datetime) -> tuple[FeeItem, FeeStandard] | None:
    """The community's temporary parking item and its published standard in force on `at`'s day
    (the one for all house types first), in one query: the exit barrier asks it for every car."""
    on = timezone.localdate(at)
    standard = (
        FeeStandard.objects.filter(
            fee_item__community_id=community_id,
            fee_item__kind=FeeKind.PARKING_TEMPORARY,
            fee_item__active=True,
            published_at__isnull=False,
            effective_from__lte=on,
        )
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .select_related("fee_item")
        .order_by("fee_item_id", "house_type")
        .first()
    )
    return (standard.fee_item, standard) if standard is not None else None


def _paid(record_ids: list[int]) -> dict[int, list[tuple[int, datetime | None]]]:
    paid: dict[int, list[tuple[int, datetime | None]]] = {pk: [] for pk in record_ids}
    for record_id, fen, paid_at in Bill.objects.filter(
        parking_record_id__in=record_ids, paid_fen__gt=0
    ).values_list("parking_record_id", "paid_fen", "paid_at"):
        paid[record_id or 0].append((fen, paid_at))  # never None: filtered by the ids
    return paid


def _fee(tariff: tuple[FeeItem, FeeStandard], entered_at: datetime, at: datetime, paid) -> StayFee:
    item, standard = tariff
    priced = pricing.parking_fee_under(standard, entered_at, at)
    times = [paid_at for _fen, paid_at in paid if paid_at is not None]
    return StayFee(
        fee_fen=priced.amount_fen,
        paid_fen=sum(fen for fen, _at in paid),
        last_paid_at=max(times, default=None),
        at=at,
        lines=priced.lines,
        quantity=priced.quantity,
        item=item,
        standard=standard,
    )


def stay_fee(community_id: int, record_id: int, entered_at: datetime, at: datetime) -> StayFee | None:
    """The fee of a stay as of `at`; None where the community charges no temporary parking (no
    active fee item, or no published standard): such a car leaves free, as before billing."""
    tariff = _tariff(community_id, at)
    if tariff is None:
        return None
    return _fee(tariff, entered_at, at, _paid([record_id])[record_id])


def stay_fees(community_id: int, stays: list[tuple[int, datetime]], at: datetime) -> dict[int, StayFee]:
    """`stay_fee` of many stays (id, entered_at) of one community, in three queries; empty where
    the community charges no temporary parking."""
    tariff = _tariff(community_id, at)
    if tariff is None:
        return {}
    paid = _paid([record_id for record_id, _entered in stays])
    return {record_id: _fee(tariff, entered, at, paid[record_id]) for record_id, entered in stays}


def open_stay_bill(record_id: int) -> Bill | None:
    return Bill.objects.filter(parking_record_id=record_id, status__in=OPEN).first()


def _order_pending(bill: Bill) -> bool:
    return Payment.objects.filter(
        status=PaymentStatus.PENDING, channel__in=ONLINE, allocations__bill=bill
    ).exists()


def bill_stay(community_id: int, record_id: int, entered_at: datetime, at: datetime) -> Bill | None:
    """The open bill for what the stay owes now, issued or re-priced as time passes; None when
    nothing is owed. An open bill with an order being paid is kept as it is (re-pricing it
    under the payer would leave their money without a bill); what time adds after it is a top-up."""
    fee = stay_fee(community_id, record_id, entered_at, at)
    if fee is None or not fee.owed_fen:
        return None  # no transaction: a paid car at the barrier is the path that must be quick
    return _bill(community_id, record_id, entered_at, at, fee)


@transaction.atomic
def _bill(community_id: int, record_id: int, entered_at: datetime, at: datetime, fee: StayFee) -> Bill:
    current = open_stay_bill(record_id)
    if current is not None:
        if current.owed_fen == fee.owed_fen or current.paid_fen or _order_pending(current):
            return current
        void(current, "repriced", None)
    lines = list(fee.lines)
    if fee.paid_fen:
        lines.append({"label": "已缴", "exact_fen": str(-fee.paid_fen)})
    day = timezone.localtime(at).date()
    bill = Bill(
        community_id=community_id,
        fee_item=fee.item,
        standard=fee.standard,
        parking_record_id=record_id,
        period_start=timezone.localtime(entered_at).date(),
        period_end=day,
        quantity=fee.quantity,
        lines=lines,
        amount_fen=fee.owed_fen,
        due_on=day,
    )
    try:
        with transaction.atomic():
            write_bills(
                [bill], community_id=community_id, kind=FeeKind.PARKING_TEMPORARY, memo=f"stay {record_id}"
            )
    except IntegrityError:
        found = open_stay_bill(record_id)  # the same stay billed by the lane and a phone at once
        if found is None:
            raise
        return found
    return bill
