"""Scheduled billing jobs (run by `linli scheduler`)."""

from datetime import timedelta

from django.utils import timezone

from linli.billing.services.late_fees import charge_late_fees
from linli.billing.services.pay import query_pending_orders
from linli.billing.services.prepayment import apply_prepayment, houses_to_settle
from linli.billing.services.refunds import query_pending_refunds
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


# --- pay ---


@periodic(every=timedelta(minutes=1), lease=timedelta(minutes=5))
def query_open_orders(now):
    """A notification that never came: ask the provider about orders pending a few minutes,
    settle the paid ones, close the expired ones."""
    query_pending_orders(now)


@periodic(every=timedelta(minutes=2), lease=timedelta(minutes=5))
def query_open_refunds(now):
    query_pending_refunds(now)
