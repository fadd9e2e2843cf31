"""Scheduled device jobs (run by `linli scheduler`)."""

from datetime import timedelta

from linli.core.periodic import periodic
from linli.iot.services import alarms, automations, chargers, charging_bills, upkeep


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


@periodic(every=timedelta(seconds=30), lease=timedelta(minutes=2))
def watch_charging(now):
    """Starts nobody answered, chargers gone silent mid-session, time that ran out."""
    chargers.sweep(now)


@periodic(every=timedelta(hours=1), lease=timedelta(minutes=30))
def bill_charging(now):
    """Yesterday's (and older) sessions of each house into one bill, where the community chose
    the fee item to bill them under."""
    charging_bills.bill_due(now)
