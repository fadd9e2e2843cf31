"""Scheduled billing jobs (run by `linli scheduler`)."""

from datetime import timedelta

from linli.billing.services.pay import query_pending_orders
from linli.billing.services.refunds import query_pending_refunds
from linli.core.periodic import periodic

# --- pay ---


@periodic(every=timedelta(minutes=1), lease=timedelta(minutes=5))
def query_open_orders(now):
    """A notification that never came: ask the provider about orders pending a few minutes,
    settle the paid ones, close the expired ones."""
    query_pending_orders(now)


@periodic(every=timedelta(minutes=2), lease=timedelta(minutes=5))
def query_open_refunds(now):
    query_pending_refunds(now)
