"""parking's periodic jobs (core's scheduler discovers this module only)."""

from datetime import timedelta

from linli.core.periodic import periodic
from linli.parking.services import booking, passes


@periodic(every=timedelta(hours=6))
def remind_expiring_passes(now):
    return passes.remind_expiring(now)


@periodic(every=timedelta(minutes=1))
def activate_paid_passes(now):
    """A pass paid with the house's bills is active within a minute (at its barrier at once)."""
    return passes.activate_paid_passes()


@periodic(every=timedelta(minutes=1))
def lapse_unpaid_bookings(now):
    """An outside driver's booking not paid within its minutes frees its space."""
    return booking.lapse_unpaid(now)
