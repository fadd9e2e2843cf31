"""Where parking's money meets billing.

A pass (月卡/年卡) is billed to its house through billing's app bills (`billing.services.
app_bills`, source `parking.pass`) where the community bills monthly parking in the app (an
active 车位月租 fee item): the resident pays it with their other bills, online or at the
counter, and the pass is active once its bill is paid (services/passes.py: `activate_if_paid`,
by the periodic job and at the barrier at once). A community without that fee item takes the fee at parking's own counter
(`do_record_counter_payment`), as before.

A resident's shared booking is billed to their house the same way where the community bills
temporary parking in the app (an active 临时停车费 fee item): the booking's fee at booking
(source `parking.booking`), an overstay when the car leaves (`parking.overstay`). Cancelling
voids the unpaid bill and bills the share the policy keeps, if any; a paid bill stays, and the
refund the booking records (`refund_fen`) is decided by staff in billing, like every refund. An
outside driver who books an offer open to the public pays the fee online, as a bill without a
house, within minutes of booking (services/booking.py). An outside driver booked by staff at
the counter is not billed here: the fee and overstay stay recorded on the booking for the counter.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.billing import queries as billing_queries
from linli.billing.services import app_bills
from linli.billing.services.app_bills import FeeKind
from linli.parking.models import ParkingPass, SharedBooking

SOURCE_PASS = "parking.pass"
SOURCE_BOOKING = "parking.booking"
SOURCE_OVERSTAY = "parking.overstay"


def bill_pass(parking_pass: ParkingPass):
    """In the caller's transaction: the pass's bill, or None where the community does not bill
    monthly parking in the app."""
    if not billing_queries.bills_kind(parking_pass.community_id, FeeKind.PARKING_MONTHLY):
        return None
    return app_bills.issue_app_bill(
        community_id=parking_pass.community_id,
        house=parking_pass.house,
        payer_person_id=parking_pass.person_id,
        kind=FeeKind.PARKING_MONTHLY,
        amount_fen=parking_pass.fee_fen,
        label=str(_("停车月卡 %(start)s 至 %(end)s"))
        % {"start": parking_pass.valid_from.isoformat(), "end": parking_pass.valid_to.isoformat()},
        source=SOURCE_PASS,
        source_id=parking_pass.pk,
    )


def pass_bill(parking_pass: ParkingPass):
    return billing_queries.app_bill(SOURCE_PASS, parking_pass.pk)


def cancel_pass_bill(parking_pass: ParkingPass):
    """A cancelled pass's unpaid bill is voided; a paid one stays for its refund (billing)."""
    return app_bills.cancel_app_bill(
        source=SOURCE_PASS, source_id=parking_pass.pk, reason=str(_("月卡已作废"))
    )


def bills_parking(community_id: int) -> bool:
    """The community bills temporary parking in the app (an active 临时停车费 fee item)."""
    return billing_queries.bills_kind(community_id, FeeKind.PARKING_TEMPORARY)


def _bill_booking(booking: SharedBooking, source: str, amount_fen: int, label: str):
    """A resident's house, or no house for an outside driver who pays online (`pay_by`); the
    counter's driver (neither) is not billed here."""
    if (booking.house_id is None and booking.pay_by is None) or not amount_fen:
        return None
    if not bills_parking(booking.community_id):
        return None
    return app_bills.issue_app_bill(
        community_id=booking.community_id,
        house=booking.house,
        payer_person_id=None,
        kind=FeeKind.PARKING_TEMPORARY,
        amount_fen=amount_fen,
        label=label,
        source=source,
        source_id=booking.pk,
    )


def _span(booking: SharedBooking) -> dict:
    start, end = timezone.localtime(booking.start_at), timezone.localtime(booking.end_at)
    return {"title": booking.offer.title, "start": f"{start:%m-%d %H:%M}", "end": f"{end:%m-%d %H:%M}"}


def bill_booking(booking: SharedBooking):
    """In the booking's transaction: its fee as a bill of the resident's house, or None."""
    label = str(_("共享车位 %(title)s %(start)s 至 %(end)s")) % _span(booking)
    return _bill_booking(booking, SOURCE_BOOKING, booking.fee_fen, label)


def rebill_cancelled(booking: SharedBooking) -> None:
    """The booking was cancelled (its `cancel_fee_fen` set): an unpaid bill is voided and the
    share the policy keeps billed instead; a paid bill stays for its refund."""
    bill = app_bills.cancel_app_bill(
        source=SOURCE_BOOKING, source_id=booking.pk, reason=str(_("共享车位预约已取消"))
    )
    if bill is not None and not bill.paid_fen and booking.cancel_fee_fen:
        label = str(_("共享车位预约取消费 %(title)s %(start)s 至 %(end)s")) % _span(booking)
        _bill_booking(booking, SOURCE_BOOKING, booking.cancel_fee_fen, label)


def bill_overstay(booking: SharedBooking, fee_fen: int):
    """In the plate event's transaction: the overstay as a bill of the resident's house, or None."""
    label = str(_("共享车位超时停车 %(title)s，应于 %(end)s 离场")) % _span(booking)
    return _bill_booking(booking, SOURCE_OVERSTAY, fee_fen, label)


def booking_bill(booking: SharedBooking):
    return billing_queries.app_bill(SOURCE_BOOKING, booking.pk)
