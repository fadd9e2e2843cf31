"""Test support for devices: community A's built-in profiles and a small installation in
1号楼 — a CO detector, the garage fans, a speaker, an AI camera, a smoke detector — with their
tokens, and the ids the walks probe."""

from dataclasses import dataclass

import orjson

from linli.iot.choices import DeviceKind
from linli.iot.models import Alarm, Device, Profile
from linli.iot.services.devices import do_register_device, ensure_profiles


@dataclass
class Site:
    co: Device
    fan: Device
    speaker: Device
    camera: Device
    smoke: Device
    tokens: dict  # device code -> token


def profile(community_id: int, kind: str) -> Profile:
    return Profile.objects.get(community_id=community_id, kind=kind)


def site(world, *, building=None) -> Site:
    community_id = world.a.id
    ensure_profiles(community_id)
    building = building or world.building
    tokens = {}
    made = {}
    for name, kind, code in (
        ("co", DeviceKind.CO, "co-b1"),
        ("fan", DeviceKind.FAN, "fan-b1"),
        ("speaker", DeviceKind.SPEAKER, "spk-b1"),
        ("camera", DeviceKind.AI_CAMERA, "cam-b1"),
        ("smoke", DeviceKind.SMOKE, "smoke-301"),
    ):
        device, token = do_register_device(
            actor=None,
            community_id=community_id,
            profile_id=profile(community_id, kind).pk,
            code=code,
            name=f"{building.name} {code}",
            building_id=building.pk,
            floor=-1 if kind != DeviceKind.SMOKE else 3,
        )
        made[name], tokens[code] = device, token
    return Site(**made, tokens=tokens)


def body(token: str, **fields) -> bytes:
    return orjson.dumps({"token": token, **fields})


def probe_ids(world) -> dict[str, int]:
    s = site(world)
    alarm = Alarm.objects.create(
        community_id=world.a.id, device=s.co, building_id=s.co.building_id, type="co_high", title="CO", severity="critical",
        first_at=s.co.created_at, last_at=s.co.created_at,
    )
    return {"device_id": s.co.pk, "alarm_id": alarm.pk}
