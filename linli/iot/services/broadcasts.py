"""Cloud broadcast (云广播, IOT-7): text and a priority to every speaker of an area; turning it
into speech is the speaker's job."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import ServiceError
from linli.core.permissions import require
from linli.core.roles import Action
from linli.iot.choices import BroadcastPriority, DeviceKind
from linli.iot.models import Broadcast, Device
from linli.iot.services.commands import send_command
from linli.registry import queries as registry_queries


def speakers(community_id: int, building_id: int | None) -> list[int]:
    found = Device.objects.filter(community_id=community_id, profile__kind=DeviceKind.SPEAKER, active=True)
    if building_id is not None:
        found = found.filter(building_id=building_id)
    return list(found.values_list("pk", flat=True))


@transaction.atomic
def do_broadcast(
    *,
    actor: Actor | None,
    community_id: int,
    text: str,
    priority: str = BroadcastPriority.NORMAL,
    building_id: int | None = None,
    alarm_id: int | None = None,
) -> Broadcast:
    if actor is not None:
        require(actor, Action.IOT_OPERATE, community_id, building_id)
    text = (text or "").strip()
    if not text or len(text) > 200:
        raise ServiceError("bad_text", _("广播内容应为1到200个字"), fields={"text": _("应为1到200个字")})
    if priority not in BroadcastPriority.values:
        raise ServiceError("bad_priority", _("广播级别无效"), fields={"priority": priority[:20]})
    if building_id is not None and not registry_queries.building_in(community_id, building_id):
        raise ServiceError("unknown_building", _("楼栋不存在"), fields={"building": building_id})
    targets = speakers(community_id, building_id)
    if not targets and building_id is not None:  # a building without speakers: the whole site hears it
        targets = speakers(community_id, None)
    broadcast = Broadcast.objects.create(
        community_id=community_id,
        building_id=building_id,
        text=text,
        priority=priority,
        speakers=len(targets),
        alarm_id=alarm_id,
        actor=actor,
    )
    for device_id in targets:
        send_command(
            device_id=device_id, name="speak", params={"text": text, "priority": priority}, alarm_id=alarm_id
        )
    audit.record(actor=actor, action="iot.broadcast", obj=broadcast, community_id=community_id)
    return broadcast
