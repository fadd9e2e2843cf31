"""Reads of devices, their values and history, alarms, rules, commands and broadcasts, always
on `restrict(user, action)`: a building-narrowed technician sees that building's devices."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from linli.core.roles import Action
from linli.iot.choices import AlarmStatus, DeviceKind, PortState
from linli.iot.models import (
    Alarm,
    AlarmLog,
    Automation,
    AutomationRun,
    Broadcast,
    ChargerPort,
    ChargingSession,
    Command,
    Device,
    HourlyAggregate,
    Profile,
    Reading,
    Rule,
    WorkerStatus,
)
from linli.iot.services import routing
from linli.registry import queries as registry_queries


def devices(user, community_id: int, action: str = Action.IOT_VIEW):
    return (
        Device.objects.restrict(user, action)
        .filter(community_id=community_id)
        .select_related("profile", "building", "state")
    )


def device(user, device_id: int, action: str = Action.IOT_VIEW) -> Device | None:
    return (
        Device.objects.restrict(user, action)
        .select_related("profile", "building", "state")
        .filter(pk=device_id)
        .first()
    )


def profiles(user, community_id: int):
    return Profile.objects.restrict(user, Action.IOT_VIEW).filter(community_id=community_id)


def profile_in(community_id: int, name_or_id) -> Profile | None:
    found = Profile.objects.filter(community_id=community_id)
    if str(name_or_id).isdigit():
        return found.filter(pk=int(name_or_id)).first()
    return found.filter(name=name_or_id).first()


def history(
    device: Device, key: str, since: datetime, until: datetime
) -> list[tuple[datetime, float, float, float]]:
    """(time, value or mean, min, max): raw readings for up to two days, hourly aggregates beyond."""
    if until - since <= timedelta(days=2):
        raw = Reading.objects.filter(device=device, key=key, ts__gte=since, ts__lt=until).order_by("ts")
        return [(ts, v, v, v) for ts, v in raw.values_list("ts", "value")[:5000]]
    hourly = HourlyAggregate.objects.filter(device=device, key=key, hour__gte=since, hour__lt=until).order_by(
        "hour"
    )
    return [
        (h, t / n, lo, hi)
        for h, n, lo, hi, t in hourly.values_list("hour", "count", "minimum", "maximum", "total")
    ]


def fitness_machines(community_id: int):
    """A community's smart fitness equipment, for services' screens of their use. No personal
    data: names, places and state."""
    return Device.objects.filter(community_id=community_id, profile__kind=DeviceKind.FITNESS).select_related(
        "building", "state"
    )


def daily_totals(device_ids: list[int], key: str, since: datetime, until: datetime) -> dict:
    """{(device id, local date): sum of `key`} over `[since, until)` (whole hours): the hourly
    aggregates of complete hours, the raw readings of the hour not rolled up yet."""
    totals: dict = {}

    def add(device_id, at, value):
        day = timezone.localtime(at).date()
        totals[(device_id, day)] = totals.get((device_id, day), 0.0) + value

    rolled = HourlyAggregate.objects.filter(
        device_id__in=device_ids, key=key, hour__gte=since, hour__lt=until
    )
    last = None
    for device_id, hour, total in rolled.values_list("device_id", "hour", "total"):
        add(device_id, hour, total)
        last = hour if last is None or hour > last else last
    recent_from = max(since, last + timedelta(hours=1)) if last else since
    raw = Reading.objects.filter(device_id__in=device_ids, key=key, ts__gte=recent_from, ts__lt=until)
    for device_id, ts, value in raw.values_list("device_id", "ts", "value"):
        add(device_id, ts, value)
    return totals


def alarms(user, community_id: int):
    return (
        Alarm.objects.restrict(user, Action.IOT_VIEW)
        .filter(community_id=community_id)
        .select_related("device", "building", "acknowledged_by", "assignee")
    )


def open_alarms(user, community_id: int):
    """Still on the centre: active, or cleared but not yet acknowledged."""
    return alarms(user, community_id).filter(Q(status=AlarmStatus.ACTIVE) | Q(acknowledged_at__isnull=True))


def alarm(user, alarm_id: int) -> Alarm | None:
    return (
        Alarm.objects.restrict(user, Action.IOT_VIEW)
        .select_related("device", "building", "acknowledged_by", "assignee", "device__profile")
        .filter(pk=alarm_id)
        .first()
    )


def alarm_log(alarm: Alarm) -> list[AlarmLog]:
    return list(alarm.log.select_related("actor"))


def alarm_counts(user, community_id: int) -> dict[str, int]:
    rows = (
        open_alarms(user, community_id)
        .filter(status=AlarmStatus.ACTIVE)
        .values("severity")
        .annotate(n=Count("id"))
    )
    return {r["severity"]: r["n"] for r in rows}


def rules(user, community_id: int):
    return (
        Rule.objects.restrict(user, Action.IOT_VIEW)
        .filter(community_id=community_id)
        .select_related("profile", "device")
    )


def rule(user, rule_id: int) -> Rule | None:
    return Rule.objects.restrict(user, Action.IOT_VIEW).filter(pk=rule_id).first()


def commands(user, community_id: int):
    return (
        Command.objects.restrict(user, Action.IOT_VIEW)
        .filter(community_id=community_id)
        .select_related("device")
    )


def broadcasts(user, community_id: int):
    return (
        Broadcast.objects.restrict(user, Action.IOT_VIEW)
        .filter(community_id=community_id)
        .select_related("building")
    )


def automations(user, community_id: int):
    return Automation.objects.restrict(user, Action.IOT_VIEW).filter(community_id=community_id)


def automation(user, automation_id: int) -> Automation | None:
    return Automation.objects.restrict(user, Action.IOT_VIEW).filter(pk=automation_id).first()


def recent_runs(automations, per_automation: int = 5) -> dict[int, list[AutomationRun]]:
    """The latest runs of each of these (already restricted) automations, newest first."""
    found: dict[int, list[AutomationRun]] = {}
    runs = AutomationRun.objects.filter(automation__in=automations).order_by("-id")[:500]
    for run in runs.select_related("alarm"):
        mine = found.setdefault(run.automation_id, [])
        if len(mine) < per_automation:
            mine.append(run)
    return found


def device_counts(user, community_id: int) -> dict:
    found = devices(user, community_id)
    return {"total": found.count(), "online": found.filter(state__online=True).count()}


def speakers_of(user, community_id: int):
    return devices(user, community_id).filter(profile__kind=DeviceKind.SPEAKER)


def workers() -> list[WorkerStatus]:
    return list(WorkerStatus.objects.order_by("name"))


def operators(alarm: Alarm) -> list:
    """Who an alarm may be assigned to: the staff responsible for its building."""
    return list(
        get_user_model().objects.filter(pk__in=routing.operators(alarm.community_id, alarm.building_id))
    )


# --- chargers (PARK-3): a community facility every resident may use ------------------------------

CHARGER_KINDS = (DeviceKind.EBIKE_CHARGER, DeviceKind.CAR_CHARGER)


def lives_in_community(user, community_id: int) -> bool:
    return registry_queries.my_houses(user).filter(community_id=community_id).exists()


def chargers(user, community_id: int):
    """The community's chargers with their ports: all of them for its residents, those in the
    staff member's scope for staff."""
    if lives_in_community(user, community_id):
        found = Device.objects.filter(community_id=community_id, active=True)
    else:
        found = devices(user, community_id)
    return (
        found.filter(profile__kind__in=CHARGER_KINDS)
        .select_related("profile", "building", "state")
        .prefetch_related(Prefetch("ports", queryset=ChargerPort.objects.order_by("number")))
        .order_by("code")
    )


def free_ports(device: Device) -> list[int]:
    """The ports a resident may start on now: free, on a charger heard from (a device of
    `chargers()`, whose ports and state are loaded with it)."""
    state = getattr(device, "state", None)
    if state is None or not state.online:
        return []
    return [p.number for p in device.ports.all() if p.state == PortState.FREE]


def charger(user, device_id: int) -> Device | None:
    community_id = Device.objects.filter(pk=device_id).values_list("community_id", flat=True).first()
    if community_id is None:
        return None
    return chargers(user, community_id).filter(pk=device_id).first()


def _sessions():
    return ChargingSession.objects.select_related("device__profile", "house__building", "house__unit")


def my_sessions(user):
    """Sessions the user started, and those charged to their homes (a card's sessions too)."""
    return _sessions().filter(Q(user_id=user.pk) | Q(house__in=registry_queries.my_houses(user)))


def sessions(user, community_id: int):
    return _sessions().filter(
        pk__in=ChargingSession.objects.restrict(user, Action.IOT_VIEW)
        .filter(community_id=community_id)
        .values("pk")
    )


def session(user, session_id: int) -> ChargingSession | None:
    mine = my_sessions(user).filter(pk=session_id).first()
    if mine is not None:
        return mine
    return (
        _sessions()
        .filter(pk=session_id, pk__in=ChargingSession.objects.restrict(user, Action.IOT_VIEW))
        .first()
    )


# Community-wide counts for dashboards (the big screen, the government view, reports): no row
# leaves these, and dashboards checks who asks.


def fleet(community_id: int) -> dict[str, int]:
    """Devices registered and online now."""
    return fleets([community_id])[community_id]


def fleets(community_ids) -> dict[int, dict[str, int]]:
    """fleet() of several communities in one grouped read: {community id: {total, online}}."""
    found = {c: {"total": 0, "online": 0} for c in community_ids}
    rows = (
        Device.objects.filter(community_id__in=list(found))
        .values_list("community_id")
        .annotate(total=Count("id"), online=Count("id", filter=Q(state__online=True)))
        .order_by()
    )
    found.update({c: {"total": total, "online": online} for c, total, online in rows})
    return found


def active_alarms_by_severity(community_id: int, building_ids=None) -> dict[str, int]:
    return active_alarms_by_community([community_id], building_ids)[community_id]


def active_alarms_by_community(community_ids, building_ids=None) -> dict[int, dict[str, int]]:
    """Active alarms by severity of several communities in one grouped read (a street's screen
    and map): {community id: {severity: n}}."""
    found: dict[int, dict[str, int]] = {c: {} for c in community_ids}
    active = Alarm.objects.filter(community_id__in=list(found), status=AlarmStatus.ACTIVE)
    if building_ids is not None:
        active = active.filter(building_id__in=building_ids)
    for c, severity, n in active.values_list("community_id", "severity").annotate(n=Count("id")).order_by():
        found[c][severity] = n
    return found


def alarms_raised(community_id: int, since: datetime, until: datetime) -> list[dict]:
    """Alarms first raised in [since, until) by type and severity: [{type, severity, n}]."""
    return [
        dict(row)
        for row in Alarm.objects.filter(community_id=community_id, first_at__gte=since, first_at__lt=until)
        .values("type", "severity")
        .annotate(n=Count("id"))
        .order_by("type", "severity")
    ]


def active_alarms_by_building(community_id: int) -> dict[int, dict[str, int]]:
    """Active alarms per building and severity, in one query (the site map colours every
    building at once): {building id: {severity: n}}; alarms of no building are left out."""
    rows = (
        Alarm.objects.filter(community_id=community_id, status=AlarmStatus.ACTIVE, building_id__isnull=False)
        .values("building_id", "severity")
        .annotate(n=Count("id"))
        .order_by()
    )
    found: dict[int, dict[str, int]] = {}
    for row in rows:
        found.setdefault(row["building_id"], {})[row["severity"]] = row["n"]
    return found


# Devices on the grounds or in plant rooms, placed one by one on the site map; meters, smoke and
# CO detectors (hundreds, in the flats) and lifts (inside a building, shown by its colour) are not.
SITE_DEVICE_KINDS = (
    DeviceKind.AI_CAMERA,
    DeviceKind.CAR_CHARGER,
    DeviceKind.EBIKE_CHARGER,
    DeviceKind.GATE,
    DeviceKind.LIGHT_POLE,
    DeviceKind.SPEAKER,
    DeviceKind.TRASH_BIN,
    DeviceKind.FIRE_PANEL,
    DeviceKind.WATER_TANK,
    DeviceKind.WATER_PUMP,
    DeviceKind.FAN,
    DeviceKind.FITNESS,
)


def site_devices(community_id: int) -> list[dict]:
    """The community's active devices of SITE_DEVICE_KINDS for the site map: what they are,
    whether they are online and how many alarms each has active (no readings, nothing about
    anyone): [{id, name, kind, kind_label, online, alarms}]."""
    rows = (
        Device.objects.filter(community_id=community_id, active=True, profile__kind__in=SITE_DEVICE_KINDS)
        .annotate(active_alarms=Count("alarms", filter=Q(alarms__status=AlarmStatus.ACTIVE)))
        .order_by("name", "id")
        .values("id", "name", "profile__kind", "state__online", "active_alarms")
    )
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "kind": r["profile__kind"],
            "kind_label": str(DeviceKind(r["profile__kind"]).label),
            "online": bool(r["state__online"]),
            "alarms": r["active_alarms"],
        }
        for r in rows
    ]


def alarm_type_names(community_ids) -> dict[str, str]:
    """What the communities' rules call each alarm type ("co_high": 一氧化碳超标), for charts
    that count alarms by type; the first rule's name where several rules raise one type."""
    names: dict[str, str] = {}
    for alarm_type, name in (
        Rule.objects.filter(community_id__in=list(community_ids))
        .values_list("alarm_type", "name")
        .order_by("id")
    ):
        names.setdefault(alarm_type, name)
    return names


def severity_labels() -> dict[str, str]:
    """The alarm severities, most severe first, with their labels in the request's language."""
    return {value: str(label) for value, label in Alarm._meta.get_field("severity").flatchoices}


def open_alarm_count(user, community_id: int) -> int:
    """Alarms still on the centre in the user's scope (the console home)."""
    return open_alarms(user, community_id).count()
