"""Scheduled device jobs (run by `linli scheduler`)."""

from datetime import timedelta

from linli.core.periodic import periodic
from linli.iot.services import alarms, automations, upkeep


@periodic(every=timedelta(minutes=1), lease=timedelta(minutes=5))
def watch_silence(now):
    upkeep.mark_offline(now)
    upkeep.raise_silence(now)


@periodic(every=timedelta(seconds=5), lease=timedelta(minutes=1))
def tick_rules(now):
    upkeep.tick_idle(now)


@periodic(every=timedelta(minutes=1))
def renotify_alarms(now):
    """Until someone acknowledges: told again, one level further up each time."""
    alarms.renotify_due(now)


@periodic(every=timedelta(seconds=10))
def run_automations(now):
    automations.run_due(now)


@periodic(every=timedelta(minutes=10), lease=timedelta(minutes=10))
def aggregate_readings(now):
    upkeep.aggregate_hours(now)


@periodic(every=timedelta(hours=1), lease=timedelta(minutes=30))
def readings_retention(now):
    upkeep.apply_retention(now)
