"""What the scheduler keeps up for devices: who is online, silence alarms (for every device,
also those no worker heard since it started), hourly aggregates, and the retention of raw
readings (IOT-2)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Sum
from django.db.models.functions import TruncHour
from django.utils.translation import gettext_lazy as _

from linli.core.services import expire_before
from linli.iot.choices import AlarmStatus
from linli.iot.ingest.pipeline import Ingest
from linli.iot.models import (
    Alarm,
    Device,
    DeviceState,
    HourlyAggregate,
    Profile,
    Reading,
    Rule,
    RuleState,
    WorkerStatus,
)
from linli.iot.rules.spec import time_based
from linli.iot.services.alarms import open_alarm, place_of

SILENCE_BATCH = 1000
WORKER_ALIVE = timedelta(seconds=30)
IDLE_DEVICES = 20_000


def mark_offline(now: datetime) -> int:
    gone = 0
    for profile_id, after in Profile.objects.values_list("pk", "offline_after_s"):
        gone += DeviceState.objects.filter(
            online=True, device__profile_id=profile_id, last_seen__lt=now - timedelta(seconds=after)
        ).update(online=False)
    return gone


def raise_silence(now: datetime) -> int:
    """Rules that are silence alone (`no_data`): an alarm for each device quiet that long."""
    raised = 0
    for rule in Rule.objects.filter(enabled=True, condition__type="no_data"):
        since = now - timedelta(seconds=int(rule.condition.get("for_s", 600)))
        devices = Device.objects.filter(active=True, created_at__lt=since)
        devices = (
            devices.filter(profile_id=rule.profile_id)
            if rule.profile_id
            else devices.filter(pk=rule.device_id or 0)
        )
        already = Alarm.objects.filter(device=OuterRef("pk"), type=rule.alarm_type, status=AlarmStatus.ACTIVE)
        quiet = devices.filter(Q(state__last_seen__lt=since) | Q(state__last_seen__isnull=True)).filter(
            ~Exists(already)
        )
        for device in quiet.select_related("building", "state")[:SILENCE_BATCH]:
            last = device.state.last_seen if hasattr(device, "state") else None
            open_alarm(
                device=device,
                alarm_type=rule.alarm_type,
                title=f"{rule.name} · {device.name}",
                severity=rule.severity,
                at=now,
                details={
                    "rule": rule.name,
                    "place": place_of(device),
                    "last_seen": last.isoformat() if last else str(_("从未上报")),
                },
                rule_id=rule.pk,
                actions_list=rule.actions,
            )
            raised += 1
    return raised


def tick_idle(now: datetime) -> list:
    """Without an MQTT worker (the embedded default, devices on HTTP) nobody holds the devices
    in memory: time-based rules (a car in the fire lane for 10 minutes) are advanced from their
    saved state here. A live worker does it itself, so this stands back while one reports."""
    if WorkerStatus.objects.filter(seen_at__gte=now - WORKER_ALIVE).exists():
        return []
    ingest = Ingest(clock=now.timestamp)
    ingest.fleet.load_rules()
    ticking = [
        r.pk
        for r in Rule.objects.filter(enabled=True)
        if r.pk in ingest.fleet.compiled and time_based(r.condition)
    ]
    devices = list(
        RuleState.objects.filter(rule_id__in=ticking)
        .values_list("device_id", flat=True)
        .distinct()[:IDLE_DEVICES]
    )
    ingest.fleet.preload(devices)
    ingest.tick()
    return ingest.close()


def aggregate_hours(now: datetime, hours: int = 2) -> int:
    """The last complete hours, again each time (an upsert), so late readings are counted."""
    end = now.replace(minute=0, second=0, microsecond=0)
    rows = (
        Reading.objects.filter(ts__gte=end - timedelta(hours=hours), ts__lt=end)
        .annotate(hour=TruncHour("ts"))
        .values("device_id", "key", "hour")
        .annotate(n=Count("id"), lo=Min("value"), hi=Max("value"), total=Sum("value"))
    )
    batch = [
        HourlyAggregate(
            device_id=r["device_id"],
            key=r["key"],
            hour=r["hour"],
            count=r["n"],
            minimum=r["lo"],
            maximum=r["hi"],
            total=r["total"],
        )
        for r in rows
    ]
    HourlyAggregate.objects.bulk_create(
        batch,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["device", "key", "hour"],
        update_fields=["count", "minimum", "maximum", "total"],
    )
    return len(batch)


def apply_retention(now: datetime) -> int:
    """Whole past months of readings are dropped on PostgreSQL (linli.core.partitions)."""
    return expire_before(Reading, "ts", now - timedelta(days=settings.LINLI_IOT_RAW_DAYS)) + expire_before(
        HourlyAggregate, "hour", now - timedelta(days=settings.LINLI_IOT_AGGREGATE_DAYS)
    )
