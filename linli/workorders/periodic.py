"""The app's periodic jobs (convention 7), each claimed once per due time."""

from datetime import timedelta

from linli.core.periodic import periodic
from linli.workorders.services import closing, sla


@periodic(every=timedelta(minutes=1))
def scan_slas(now):
    """Reminders, overdue marks and escalations (WO-4)."""
    return sla.scan(now)


@periodic(every=timedelta(hours=1))
def close_checked_orders(now):
    return closing.close_checked(now)
