"""Scheduled billing jobs (run by `linli scheduler`)."""

from datetime import timedelta

from django.utils import timezone

from linli.billing.services.late_fees import charge_late_fees
from linli.billing.services.prepayment import apply_prepayment, houses_to_settle
from linli.billing.services.reminders import send_due_reminders
from linli.core.periodic import periodic

# --- money ---


@periodic(every=timedelta(minutes=1), lease=timedelta(minutes=10))
def apply_prepayments(now):
    """A prepaid balance pays the house's open bills: after a prepay is settled, after an
    overpaid order left money over, after new bills were issued (see services/prepayment.py)."""
    for house_id in houses_to_settle():
        apply_prepayment(house_id)


@periodic(every=timedelta(hours=1))
def late_fees(now):
    """Hourly, so a day is charged soon after local midnight; each day's figure is charged once."""
    charge_late_fees(timezone.localtime(now).date())


@periodic(every=timedelta(hours=1))
def fee_reminders(now):
    send_due_reminders(now)
