"""Commands to devices (IOT-5): written as a row, published once the transaction committed,
answered by the device with the command's id, re-sent until answered, then timed out.

Whoever holds a broker connection (the ingest worker) publishes what is due: new commands at
once, unanswered ones again after `RETRY_AFTER`. A device on HTTP fetches its own."""

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import orjson
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import NotFound, ServiceError
from linli.core.events import publish
from linli.core.permissions import may, require
from linli.core.roles import Action
from linli.iot.choices import CommandStatus, DeviceKind
from linli.iot.models import Command, Device

RETRY_AFTER = timedelta(seconds=10)
ATTEMPTS = 3
OPEN = (CommandStatus.PENDING, CommandStatus.SENT)


def topic(community_code: str, device_code: str) -> str:
    return f"linli/{community_code}/{device_code}/command"


def send_command(
    *, device_id: int, name: str, params: dict, actor: Actor | None = None, alarm_id: int | None = None
) -> Command:
    device = Device.objects.select_related("profile").get(pk=device_id)
    if name not in device.profile.commands:
        raise ServiceError("unknown_command", _("该设备不支持此指令"), fields={"name": name[:40]})
    if len(orjson.dumps(params)) > 1000:
        raise ServiceError("bad_params", _("指令参数过长"))
    command = Command.objects.create(
        community_id=device.community_id,
        device=device,
        uid=secrets.token_hex(16),
        name=name,
        params=params,
        alarm_id=alarm_id,
        actor=actor,
    )
    publish(
        "iot.command",
        {"id": command.pk, "device": device.pk, "name": name, "status": command.status},
        community_id=device.community_id,
    )
    return command


@transaction.atomic
def do_send_command(*, actor: Actor, device_id: int, name: str, params: dict | None = None) -> Command:
    device = Device.objects.filter(pk=device_id).first()
    if device is None or not may(actor, Action.IOT_VIEW, device.community_id, device.building_id):
        raise NotFound()
    require(actor, Action.IOT_OPERATE, device.community_id, device.building_id)
    command = send_command(device_id=device.pk, name=name, params=params or {}, actor=actor)
    audit.record(actor=actor, action="iot.command_sent", obj=command, community_id=device.community_id)
    return command


def _wire(command: Command) -> bytes:
    return orjson.dumps(
        {
            "id": command.uid,
            "name": command.name,
            "params": command.params,
            "ts": int(timezone.now().timestamp()),
        }
    )


def _claim(commands, now: datetime, limit: int) -> list[Command]:
    """The commands to send now, each claimed by a conditional update so that two workers never
    both send one attempt; those out of attempts time out instead."""
    due = list(
        commands.filter(status=CommandStatus.PENDING).select_related("device", "community")[:limit]
    ) + list(
        commands.filter(status=CommandStatus.SENT, retry_at__lte=now).select_related("device", "community")[
            :limit
        ]
    )
    out = []
    for command in due:
        claim = Command.objects.filter(pk=command.pk, status=command.status, attempts=command.attempts)
        if command.attempts >= ATTEMPTS:
            if claim.update(status=CommandStatus.TIMED_OUT, retry_at=None, result=str(_("设备未应答"))):
                _changed(command, CommandStatus.TIMED_OUT)
            continue
        if claim.update(
            status=CommandStatus.SENT, attempts=command.attempts + 1, sent_at=now, retry_at=now + RETRY_AFTER
        ):
            out.append(command)
    return out


def claim_due(now: datetime, limit: int = 500) -> list[tuple[str, bytes]]:
    """(topic, payload) of the commands to publish on the broker now: new ones, and unanswered
    ones again. Car chargers get theirs over OCPP (`claim_for_ocpp`)."""
    mqtt = Command.objects.exclude(device__profile__kind=DeviceKind.CAR_CHARGER)
    return [(topic(c.community.code, c.device.code), _wire(c)) for c in _claim(mqtt, now, limit)]


def claim_for_ocpp(now: datetime, device_ids: Iterable[int]) -> list[Command]:
    """The due commands of the car chargers connected to this OCPP server."""
    return _claim(Command.objects.filter(device_id__in=list(device_ids)), now, 100)


def for_http_device(device_id: int, now: datetime) -> list[dict]:
    """What an HTTP device fetches: its open commands, each fetch counting as one attempt."""
    out = []
    for command in Command.objects.filter(device_id=device_id, status__in=OPEN).order_by("id")[:20]:
        Command.objects.filter(pk=command.pk, status__in=OPEN).update(
            status=CommandStatus.SENT, attempts=command.attempts + 1, sent_at=now, retry_at=now + RETRY_AFTER
        )
        out.append(orjson.loads(_wire(command)))
    return out


def answered(device_id: int, uid: str, ok: bool, message: str) -> None:
    status = CommandStatus.ACKED if ok else CommandStatus.FAILED
    command = Command.objects.filter(device_id=device_id, uid=uid).first()
    if command and Command.objects.filter(pk=command.pk, status__in=OPEN).update(
        status=status, answered_at=timezone.now(), retry_at=None, result=message[:200]
    ):
        _changed(command, status)


def _changed(command: Command, status: str) -> None:
    publish(
        "iot.command",
        {"id": command.pk, "device": command.device_id, "name": command.name, "status": status},
        community_id=command.community_id,
    )
