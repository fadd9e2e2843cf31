"""What parking tells the barrier (access asks through the plate right registered in
barrier.py; these run inside access's plate event transaction).

Entry: a car with a booking whose start is at most 15 minutes away and whose end has not
passed (and, for an outside driver who books online, whose fee is paid) is let in and the booking records `entered_at`; outside that window the car is like any
other (a resident's, a visitor's, a temporary parker). A car whose house holds a paid, valid
pass for its plate is let in too.

Exit: a temporary parker who owes a fee is held until it is paid (exit_fees.py). A car inside
under a booking leaves (the barrier never traps a car): `exited_at` is
recorded, the booking is completed, and the overstay is charged by the offer's rule: nothing
within `overstay_grace_minutes` after the booked end, else `overstay_fen` per started hour past
the booked end (end 08:00, grace 15: out at 08:10 costs nothing, at 08:20 one hour, at 09:05
two hours).
"""

from datetime import datetime, timedelta

from linli.access.services.vehicles import Decision, Reason
from linli.core import audit
from linli.parking import charges
from linli.parking.choices import BookingStatus, PassStatus
from linli.parking.models import SharedBooking, SharedOffer
from linli.parking.queries import booking_at_entry, booking_inside, passes_valid_today, valid_pass
from linli.parking.services import exit_fees
from linli.parking.services.passes import activate_if_paid
from linli.parking.windows import started_hours


def overstay_fen(offer: SharedOffer, end_at: datetime, exited_at: datetime) -> int:
    if exited_at <= end_at + timedelta(minutes=offer.overstay_grace_minutes):
        return 0
    return offer.overstay_fen * started_hours(end_at, exited_at)


def _paid_just_now(point, plate_bidx: str, now: datetime) -> int | None:
    """A pass whose bill was paid a moment ago opens at once, not at the next periodic run."""
    for waiting in passes_valid_today(point.community_id, plate_bidx, now, PassStatus.UNPAID):
        if activate_if_paid(waiting):
            return waiting.pk
    return None


def _paid_if_due(booking: SharedBooking | None) -> SharedBooking | None:
    """An outside driver's booking opens the barrier only once paid."""
    if booking is None or booking.pay_by is None:
        return booking
    bill = charges.booking_bill(booking)
    return booking if bill is not None and bill.owed_fen == 0 else None


def enter(point, plate_bidx: str, now: datetime) -> Decision | None:
    booking = _paid_if_due(booking_at_entry(point.community_id, plate_bidx, now))
    if booking is not None and SharedBooking.objects.filter(
        pk=booking.pk, status=BookingStatus.BOOKED, entered_at__isnull=True
    ).update(entered_at=now, updated_at=now):
        return Decision(
            True, Reason.SHARED_BOOKING, detail={"booking": booking.pk, "until": booking.end_at.isoformat()}
        )
    parking_pass = valid_pass(point.community_id, plate_bidx, now) or _paid_just_now(point, plate_bidx, now)
    if parking_pass is not None:
        return Decision(True, Reason.PARKING_PASS, detail={"parking_pass": parking_pass})
    return None


def leave(point, plate_bidx: str, now: datetime) -> Decision | None:
    booking = booking_inside(point.community_id, plate_bidx)
    if booking is None:
        return exit_fees.leave(point, plate_bidx, now)
    fee = overstay_fen(booking.offer, booking.end_at, now)
    if not SharedBooking.objects.filter(pk=booking.pk, exited_at__isnull=True).update(
        exited_at=now, status=BookingStatus.COMPLETED, overstay_fen=fee, updated_at=now
    ):
        return None  # the same car at two exit lanes at once: the other lane recorded it
    if fee:
        charges.bill_overstay(booking, fee)
        audit.record(
            actor=None,
            action="parking.overstayed",
            obj=booking,
            community_id=booking.community_id,
            after={"overstay_fen": fee, "exited_at": now.isoformat()},
        )
    return Decision(True, Reason.SHARED_BOOKING, detail={"booking": booking.pk, "overstay_fen": fee})
