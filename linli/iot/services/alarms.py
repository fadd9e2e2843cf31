"""The alarm lifecycle (IOT-6): raised by a rule, counted while it repeats, cleared when the
condition is gone (or by staff), acknowledged with a note, assigned, re-notified and escalated
until someone acknowledges it.

One active alarm per (device, type): a repeat adds to its count. The partial unique constraint
decides a race between two workers; the loser counts an occurrence on the winner's alarm.
"""

from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, NotFound, ServiceError
from linli.core.events import publish
from linli.core.permissions import may, require
from linli.core.roles import Action
from linli.iot.choices import AlarmStatus, Severity
from linli.iot.models import Alarm, AlarmLog, Device, DeviceState
from linli.iot.services import actions, automations, routing
from linli.notify.services import notify
from linli.notify.services.channels import TO_STAFF

TOPIC = "iot.alarm"
LINK = "/iot/staff/{community}/alarms/{id}"
# Until acknowledged, the responsible staff hear again after this long; each time one level up.
RENOTIFY: dict[str, timedelta] = {
    Severity.CRITICAL: timedelta(minutes=5),
    Severity.MAJOR: timedelta(minutes=15),
    Severity.MINOR: timedelta(hours=1),
}


def _log(alarm: Alarm, kind: str, *, actor=None, note: str = "", at=None) -> None:
    AlarmLog.objects.create(alarm=alarm, at=at or timezone.now(), kind=kind, actor=actor, note=note[:200])


def _event(alarm: Alarm, change: str) -> dict:
    payload = {
        "id": alarm.pk,
        "change": change,
        "type": alarm.type,
        "title": alarm.title,
        "severity": alarm.severity,
        "status": alarm.status,
        "acknowledged": alarm.acknowledged_at is not None,
        "count": alarm.count,
        "device": alarm.device_id,
        "building": alarm.building_id,
        "at": alarm.last_at.isoformat(),
    }
    publish(TOPIC, payload, community_id=alarm.community_id)
    return payload


def _tell(alarm: Alarm, users: set[int], title) -> None:
    urgent = alarm.severity == Severity.CRITICAL
    notify(
        users=users,
        kind=f"iot.alarm.{alarm.severity}",
        title=f"{title}：{alarm.title}",
        body=str(alarm.details.get("place") or ""),
        link=LINK.format(community=alarm.community_id, id=alarm.pk),
        community_id=alarm.community_id,
        channels=(*TO_STAFF, "sms") if urgent else TO_STAFF,
    )


def open_alarm(
    *,
    device: Device,
    alarm_type: str,
    title: str,
    severity: str,
    at: datetime,
    details: dict,
    rule_id: int | None = None,
    snapshot: str = "",
    actions_list: list | None = None,
) -> dict:
    """Raises the alarm, or counts one more occurrence of the active one."""
    active = Alarm.objects.filter(device=device, type=alarm_type, status=AlarmStatus.ACTIVE)
    if _count_again(active, at, details, snapshot):
        return _event(active.get(), "repeated")
    alarm = Alarm(
        community_id=device.community_id,
        device=device,
        building_id=device.building_id,
        rule_id=rule_id,
        type=alarm_type,
        title=title[:100],
        severity=severity,
        first_at=at,
        last_at=at,
        details=details,
        snapshot_url=snapshot,
        notify_at=timezone.now() + RENOTIFY[severity] if severity in RENOTIFY else None,
    )
    try:
        with transaction.atomic():
            alarm.save()
    except IntegrityError:  # another worker raised it a moment ago
        _count_again(active, at, details, snapshot)
        return _event(active.get(), "repeated")
    _log(alarm, "raised", at=at)
    _tell(alarm, routing.responsible(alarm.community_id, alarm.building_id), _("新告警"))
    actions.run(alarm, device, actions_list or [])
    automations.on_alarm(alarm)
    return _event(alarm, "raised")


def _count_again(active, at: datetime, details: dict, snapshot: str) -> bool:
    changes: dict = {"count": F("count") + 1, "last_at": at, "details": details}
    if snapshot:
        changes["snapshot_url"] = snapshot
    return bool(active.update(**changes))


def _device(device_id: int) -> Device:
    return Device.objects.select_related("building").get(pk=device_id)


def place_of(device: Device) -> str:
    parts = [
        device.building.name if device.building else "",
        f"{device.floor}F" if device.floor else "",
        device.place,
    ]
    return " ".join(p for p in parts if p) or device.name


def from_rule(t) -> dict:
    """A rule's rising edge (the ingest's `Transition`)."""
    device = _device(t.entry.id)
    event = t.event or {}
    details = {"rule": t.slot.name, "values": t.values, "place": place_of(device)}
    if event.get("data"):
        details["camera"] = event["data"]
    if event.get("track"):
        details["track"] = event["track"]
    return open_alarm(
        device=device,
        alarm_type=t.slot.alarm_type,
        title=f"{t.slot.name} · {device.name}",
        severity=t.slot.severity,
        at=datetime.fromtimestamp(t.ts, UTC),
        details=details,
        rule_id=t.slot.rule_id,
        snapshot=event.get("snapshot", ""),
        actions_list=t.slot.actions,
    )


def _clear(alarms, at: datetime, *, actor=None, note: str = "") -> list[dict]:
    changed = []
    for alarm in alarms:
        if Alarm.objects.filter(pk=alarm.pk, status=AlarmStatus.ACTIVE).update(
            status=AlarmStatus.CLEARED, cleared_at=at, notify_at=None
        ):
            alarm.refresh_from_db()
            _log(alarm, "cleared", actor=actor, note=note, at=at)
            changed.append(_event(alarm, "cleared"))
    return changed


def clear_from_rule(t) -> dict | None:
    """The condition is gone: the vehicle left the fire lane, CO is back under the limit."""
    active = Alarm.objects.filter(device_id=t.entry.id, type=t.slot.alarm_type, status=AlarmStatus.ACTIVE)
    changed = _clear(list(active), datetime.fromtimestamp(t.ts, UTC))
    return changed[0] if changed else None


def devices_back(device_ids: list[int]) -> list[dict]:
    """Devices heard from again: online, and their silence alarms cleared."""
    DeviceState.objects.filter(device_id__in=device_ids).update(online=True)
    silence = Alarm.objects.filter(device_id__in=device_ids, type="offline", status=AlarmStatus.ACTIVE)
    return _clear(list(silence), timezone.now())


# --- staff ---------------------------------------------------------------------------------------
def _alarm(actor: Actor, alarm_id: int) -> Alarm:
    alarm = Alarm.objects.filter(pk=alarm_id).first()
    if alarm is None or not may(actor, Action.IOT_VIEW, alarm.community_id, alarm.building_id):
        raise NotFound()
    require(actor, Action.IOT_OPERATE, alarm.community_id, alarm.building_id)
    return alarm


@transaction.atomic
def do_acknowledge(*, actor: Actor, alarm_id: int, note: str = "") -> Alarm:
    alarm = _alarm(actor, alarm_id)
    now = timezone.now()
    if not Alarm.objects.filter(pk=alarm.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=actor, ack_note=note[:200], notify_at=None
    ):
        raise Conflict("already_acknowledged", _("该告警已被确认"))
    alarm.refresh_from_db()
    _log(alarm, "acknowledged", actor=actor, note=note, at=now)
    audit.record(actor=actor, action="iot.alarm_acknowledged", obj=alarm, community_id=alarm.community_id)
    _event(alarm, "acknowledged")
    return alarm


@transaction.atomic
def do_assign(*, actor: Actor, alarm_id: int, user_id: int) -> Alarm:
    alarm = _alarm(actor, alarm_id)
    if user_id not in routing.operators(alarm.community_id, alarm.building_id):
        raise ServiceError("not_an_operator", _("此人不负责该区域的告警"), fields={"user": user_id})
    Alarm.objects.filter(pk=alarm.pk).update(assignee_id=user_id)
    alarm.refresh_from_db()
    _log(alarm, "assigned", actor=actor)
    audit.record(actor=actor, action="iot.alarm_assigned", obj=alarm, community_id=alarm.community_id)
    _tell(alarm, {user_id}, _("告警已指派给您"))
    _event(alarm, "assigned")
    return alarm


@transaction.atomic
def do_clear(*, actor: Actor, alarm_id: int, note: str = "") -> Alarm:
    alarm = _alarm(actor, alarm_id)
    if not _clear([alarm], timezone.now(), actor=actor, note=note):
        raise Conflict("already_cleared", _("该告警已清除"))
    audit.record(actor=actor, action="iot.alarm_cleared", obj=alarm, community_id=alarm.community_id)
    alarm.refresh_from_db()
    return alarm


def renotify_due(now: datetime) -> int:
    """Unacknowledged alarms whose reminder is due: told again, one level further up."""
    count = 0
    for alarm in Alarm.objects.filter(notify_at__lte=now, acknowledged_at__isnull=True)[:500]:
        level = alarm.escalation + 1
        claimed = Alarm.objects.filter(
            pk=alarm.pk, notify_at=alarm.notify_at, escalation=alarm.escalation
        ).update(escalation=level, notify_at=now + RENOTIFY.get(alarm.severity, timedelta(hours=1)))
        if not claimed:
            continue
        with transaction.atomic():
            _log(alarm, "escalated", note=str(level), at=now)
            _tell(alarm, routing.recipients(alarm.community_id, alarm.building_id, level), _("告警仍未确认"))
        count += 1
    return count
