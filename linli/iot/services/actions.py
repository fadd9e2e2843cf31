"""What an alarm sets off (IOT-5): a work order or a grid incident through the work-order
app's `open_request`, a message to roles or to the residents of the area, a command to devices in
the same area, a broadcast.
Each action stands alone: one that cannot run is written on the alarm's timeline, and the
alarm and the other actions stay."""

import logging

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from linli.core.errors import ServiceError
from linli.iot.choices import Severity
from linli.iot.models import Alarm, AlarmLog, Device
from linli.iot.services import broadcasts, routing
from linli.iot.services.commands import send_command
from linli.notify.services import notify
from linli.notify.services.channels import TO_STAFF
from linli.registry import queries as registry_queries
from linli.workorders import queries as workorder_queries
from linli.workorders.services import intake

log = logging.getLogger(__name__)
RESIDENTS_KIND = "iot.building"  # + the alarm's severity: what residents are told of an alarm
# The work-order kinds (linli.workorders.choices) an action's category may fall back to.
KINDS = {"work_order": ("repair", "maintenance"), "incident": ("incident", "snapshot")}


def run(alarm: Alarm, device: Device, actions: list[dict]) -> None:
    for action in actions:
        try:
            with transaction.atomic():
                RUNNERS[action["type"]](alarm, device, action)
        except (ServiceError, KeyError, LookupError) as e:
            log.warning("iot: action %s of alarm %s not run: %s", action.get("type"), alarm.pk, e)
            AlarmLog.objects.create(
                alarm=alarm, at=alarm.last_at, kind="action_failed", note=str(action.get("type"))[:200]
            )


def _request(alarm: Alarm, device: Device, action: dict) -> None:
    kinds = KINDS[action["type"]]
    category = workorder_queries.category_for(alarm.community_id, action.get("category", ""), kinds)
    if category is None:
        raise LookupError("no category")
    request = intake.open_request(
        actor=None,
        community_id=alarm.community_id,
        category=category,
        description=f"{alarm.title}（{alarm.details.get('place', '')}）",
        source="camera" if alarm.type.startswith(CAMERA_TYPES) else "sensor",
        priority=action.get("priority"),
        building_id=device.building_id,
        place=alarm.details.get("place", "")[:100],
    )
    Alarm.objects.filter(pk=alarm.pk).update(request_id=request.pk)
    alarm.request_id = request.pk
    AlarmLog.objects.create(alarm=alarm, at=alarm.last_at, kind="request_opened", note=request.number)


CAMERA_TYPES = (
    "high_throw",
    "fire_lane",
    "trash_overflow",
    "ebike_elevator",
    "dog_off_leash",
    "street_vending",
    "smoke_fire",
)


def _notify(alarm: Alarm, device: Device, action: dict) -> None:
    notify(
        users=routing.with_roles(alarm.community_id, action.get("roles", [])),
        kind=f"iot.alarm.{alarm.severity}",
        title=f"{_('告警')}：{alarm.title}",
        body=alarm.details.get("place", ""),
        link=f"/iot/staff/{alarm.community_id}/alarms/{alarm.pk}",
        community_id=alarm.community_id,
        channels=TO_STAFF,
    )


def _targets(device: Device, target: str) -> list[int]:
    if target.startswith("same_area:"):
        kind = target.split(":", 1)[1]
        found = Device.objects.filter(community_id=device.community_id, profile__kind=kind, active=True)
        if device.building_id is not None:
            found = found.filter(building_id=device.building_id)
        return list(found.values_list("pk", flat=True))
    return list(
        Device.objects.filter(community_id=device.community_id, code=target).values_list("pk", flat=True)
    )


def _command(alarm: Alarm, device: Device, action: dict) -> None:
    targets = _targets(device, action["target"])
    if not targets:
        raise LookupError("no target device")
    for target in targets:
        send_command(
            device_id=target, name=action["name"], params=action.get("params") or {}, alarm_id=alarm.pk
        )
    AlarmLog.objects.create(
        alarm=alarm, at=alarm.last_at, kind="command", note=f"{action['name']} × {len(targets)}"
    )


def _broadcast(alarm: Alarm, device: Device, action: dict) -> None:
    building = device.building_id if action.get("area", "building") == "building" else None
    done = broadcasts.do_broadcast(
        actor=None,
        community_id=alarm.community_id,
        building_id=building,
        text=action["text"],
        priority=action.get("priority", "normal"),
        alarm_id=alarm.pk,
    )
    AlarmLog.objects.create(alarm=alarm, at=alarm.last_at, kind="broadcast", note=f"{done.speakers}")


def _residents(alarm: Alarm, device: Device, action: dict) -> None:
    """The people living in the alarm's building (or the whole community) are told what to do:
    smoke on their floor, fire in the building. By SMS too when it is critical, whatever they
    chose (linli.notify.topics.UNMUTABLE)."""
    building = device.building_id if action.get("area", "building") == "building" else None
    told = notify(
        users=registry_queries.resident_user_ids(alarm.community_id, building),
        kind=f"{RESIDENTS_KIND}.{alarm.severity}",
        title=f"{_('安全提醒')}：{alarm.title}",
        body=" ".join(part for part in (alarm.details.get("place", ""), action["text"]) if part),
        community_id=alarm.community_id,
        channels=("inapp", "sms") if alarm.severity == Severity.CRITICAL else ("inapp",),
    )
    AlarmLog.objects.create(alarm=alarm, at=alarm.last_at, kind="residents", note=f"{told}")


RUNNERS = {
    "work_order": _request,
    "incident": _request,
    "notify": _notify,
    "command": _command,
    "broadcast": _broadcast,
    "residents": _residents,
}
