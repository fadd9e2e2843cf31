"""Scheduled work-order jobs (run by `linli scheduler`), each claimed once per due time:
the SLA scan, closing checked orders, patrol runs and maintenance plans."""

from datetime import timedelta

from linli.core.periodic import periodic
from linli.workorders.services import closing, patrols, plans, sla


@periodic(every=timedelta(minutes=1))
def scan_slas(now):
    """Reminders, overdue marks and escalations (WO-4)."""
    return sla.scan(now)


@periodic(every=timedelta(hours=1))
def close_checked_orders(now):
    """Orders checked and never rated close after the community's auto-close days."""
    return closing.close_checked(now)


@periodic(every=timedelta(minutes=5))
def open_patrol_runs(now):
    """The day's patrol runs, one per route and due time (a second pass opens nothing)."""
    patrols.open_runs(now)


@periodic(every=timedelta(minutes=1))
def close_missed_runs(now):
    """Runs still open after their window become missed, with the checkpoints nobody checked."""
    patrols.close_missed(now)


@periodic(every=timedelta(hours=1))
def open_due_maintenance(now):
    """The orders of maintenance plans due today, one per plan and due date."""
    plans.open_due(now)
