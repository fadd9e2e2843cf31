"""Scheduled access jobs (run by `linli scheduler`)."""

from datetime import timedelta

from linli.access.services import consume_registry_changes, evaluate_care_rules
from linli.access.services.passes import purge_visitor_data
from linli.core.periodic import periodic


@periodic(every=timedelta(seconds=5), lease=timedelta(minutes=2))
def sync_registry_grants(now):
    """Registry → grants. Decisions never wait for this (they check the registry themselves)."""
    consume_registry_changes(now=now)


@periodic(every=timedelta(minutes=5))
def care_alerts(now):
    evaluate_care_rules(now)


@periodic(every=timedelta(hours=6))
def visitor_data_retention(now):
    purge_visitor_data(now=now)
