"""Scheduled access jobs (run by `linli scheduler`)."""

from datetime import timedelta

from django.conf import settings

from linli.access import rights
from linli.access.models import AccessEvent
from linli.access.services import consume_registry_changes, evaluate_care_rules
from linli.access.services.passes import purge_visitor_data
from linli.core.partitions import add_months, month_start
from linli.core.periodic import periodic
from linli.core.services import expire_before


@periodic(every=timedelta(seconds=5), lease=timedelta(minutes=2))
def sync_registry_grants(now):
    """Registry → grants. Decisions never wait for this (they check the registry themselves)."""
    consume_registry_changes(now=now)


@periodic(every=timedelta(seconds=30), lease=timedelta(minutes=2))
def end_ended_rights(now):
    """Rights whose source ended (a lease ran out at midnight emits no event) are revoked with
    their reason, for lists, audit and terminals. Decisions and snapshots never wait for it:
    they compute it themselves."""
    rights.end_rights(now)


@periodic(every=timedelta(minutes=5))
def care_alerts(now):
    evaluate_care_rules(now)


@periodic(every=timedelta(hours=6))
def visitor_data_retention(now):
    purge_visitor_data(now=now)


@periodic(every=timedelta(days=1), lease=timedelta(hours=1))
def access_event_retention(now):
    """Events of the months older than LINLI_ACCESS_EVENT_MONTHS, whole months at a time (on
    PostgreSQL a dropped partition each); 0 keeps them all."""
    if settings.LINLI_ACCESS_EVENT_MONTHS:
        expire_before(AccessEvent, "at", add_months(month_start(now), -settings.LINLI_ACCESS_EVENT_MONTHS))
