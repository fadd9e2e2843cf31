"""Test support for devices: community A's built-in profiles and a small installation in
1号楼 — a CO detector, the garage fans, a speaker, an AI camera, a smoke detector, an e-bike
and a car charger — with their tokens, and the ids the walks probe."""

from dataclasses import dataclass

import orjson
from django.utils import timezone

from linli.iot.choices import DeviceKind
from linli.iot.models import Alarm, Automation, ChargingSession, Device, Profile, Rule
from linli.iot.services import alarms
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


def site(world) -> Site:
    return site_in(world, world.building, "b1")


def site_in(world, building, suffix: str) -> Site:
    community_id = world.a.id
    ensure_profiles(community_id)
    tokens = {}
    made = {}
    for name, kind, code in (
        ("co", DeviceKind.CO, f"co-{suffix}"),
        ("fan", DeviceKind.FAN, f"fan-{suffix}"),
        ("speaker", DeviceKind.SPEAKER, f"spk-{suffix}"),
        ("camera", DeviceKind.AI_CAMERA, f"cam-{suffix}"),
        ("smoke", DeviceKind.SMOKE, f"smoke-{suffix}"),
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


def raise_co(device, title: str = "一氧化碳超标 · 车库") -> Alarm:
    """A CO alarm on the device, as the rule engine raises it."""
    return alarms.open_alarm(
        device=device,
        alarm_type="co_high",
        title=title,
        severity="critical",
        at=timezone.now(),
        details={"place": "1号楼 -1F"},
    )


@dataclass
class Chargers:
    ebike: Device
    car: Device
    tokens: dict  # device code -> token


def chargers(world, building=None, suffix: str = "b1") -> Chargers:
    """An e-bike charger (MQTT/HTTP) and a car charger (OCPP) in 1号楼 of community A."""
    building = building or world.building
    ensure_profiles(world.a.id)
    made, tokens = {}, {}
    for name, kind, code in (
        ("ebike", DeviceKind.EBIKE_CHARGER, f"ev-{suffix}"),
        ("car", DeviceKind.CAR_CHARGER, f"car-{suffix}"),
    ):
        device, token = do_register_device(
            actor=None,
            community_id=world.a.id,
            profile_id=profile(world.a.id, kind).pk,
            code=code,
            name=f"{building.name} {code}",
            building_id=building.pk,
        )
        made[name], tokens[code] = device, token
    return Chargers(**made, tokens=tokens)


def body(token: str, **fields) -> bytes:
    return orjson.dumps({"token": token, **fields})


def probe_ids(world) -> dict[str, int | str]:
    """Ids of community A's devices, alarms, rules, automations and charging sessions that the
    outsider must not reach."""
    return _ids(world, site(world), chargers(world), world.house)


def _ids(world, s: Site, c: Chargers, house) -> dict[str, int | str]:
    session = ChargingSession.objects.create(
        community_id=world.a.id, device=c.ebike, port=1, house=house, via="card", status="charging"
    )
    alarm = Alarm.objects.create(
        community_id=world.a.id,
        device=s.co,
        building_id=s.co.building_id,
        type="co_high",
        title="CO",
        severity="critical",
        first_at=s.co.created_at,
        last_at=s.co.created_at,
    )
    rule = Rule.objects.create(
        community_id=world.a.id,
        device=s.co,
        name="CO",
        alarm_type="co_high",
        condition={"type": "threshold", "key": "co", "op": ">", "value": 40},
    )
    automation = Automation.objects.create(
        community_id=world.a.id,
        name="车库排风",
        trigger={"alarm_type": "co_high"},
        steps=[{"type": "command", "target": s.fan.code, "name": "fan_on"}],
    )
    return {
        "device_id": s.co.pk,
        "alarm_id": alarm.pk,
        "rule_id": rule.pk,
        "automation_id": automation.pk,
        "community_code": world.a.code,
        "device_code": s.co.code,
        "channel": "telemetry",
        "session_id": session.pk,
    }


def narrowed_probe_ids(world, narrowed) -> dict[str, int | str]:
    """A device, alarm and rule of 2号楼, for staff narrowed to 1号楼 (who see 1号楼's site)."""
    site(world)
    chargers(world)
    other = site_in(world, narrowed.other_building, "b2")
    return _ids(world, other, chargers(world, narrowed.other_building, "b2"), narrowed.other_house)
