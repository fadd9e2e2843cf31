"""Device demo data for a demo community: `seed_iot_demo(community)`, called by the demo seeder
after work orders. Idempotent: a community that already has devices is left as it is.

Through the real services: the built-in profiles and rules, and an installation a mid-sized
compound has — the garage's CO detectors and fans, lifts, smoke detectors, speakers, the
water tank and pump, bins, light poles, meters, e-bike chargers in the bike shed, a gate, two
fitness machines in the garden (with a month of use) and the AI cameras at the fire lane and
facing 1号楼 — all marked `simulated` so that `linli simulate` (started by `linli serve` when
such devices exist) drives them. In the demo a car must stay in the fire lane 2 minutes, not
10, so that the alarm is seen while looking; two automations show the run modes."""

import random
from datetime import timedelta

from django.utils import timezone

from linli.core.models import Community
from linli.iot.choices import DeviceKind as K
from linli.iot.choices import RunMode
from linli.iot.models import Automation, Device, HourlyAggregate, Profile, Rule
from linli.iot.services.devices import do_register_device, ensure_profiles
from linli.registry.models import Building

DEMO_FIRE_LANE_DWELL_S = 120


def _devices(buildings: list[Building]) -> list[tuple[str, str, str, Building | None, int | None, str]]:
    """(kind, code, name, building, floor, place)"""
    first = buildings[0] if buildings else None
    out = [
        (K.CO, "co-garage-1", "车库一氧化碳 1", first, -1, "地下车库A区"),
        (K.CO, "co-garage-2", "车库一氧化碳 2", first, -1, "地下车库B区"),
        (K.FAN, "fan-garage-1", "车库排风机 1", first, -1, "地下车库A区"),
        (K.FAN, "fan-garage-2", "车库排风机 2", first, -1, "地下车库B区"),
        (K.WATER_TANK, "tank-1", "生活水箱", None, None, "水泵房"),
        (K.WATER_PUMP, "pump-1", "二次供水泵", None, None, "水泵房"),
        (K.AI_CAMERA, "cam-fire-lane", "消防通道摄像机", first, None, "消防通道"),
        (K.AI_CAMERA, "cam-high-throw", "高空抛物摄像机", first, None, "楼前广场"),
        (K.GATE, "gate-east", "东门道闸", None, None, "东门"),
        (K.WATER_METER, "wm-main", "总水表", None, None, "水表井"),
        (K.POWER_METER, "pm-main", "总电表", None, None, "配电房"),
        (K.EBIKE_CHARGER, "ev-shed-1", "电动车充电桩 1", first, 1, "非机动车棚"),
        (K.EBIKE_CHARGER, "ev-shed-2", "电动车充电桩 2", first, 1, "非机动车棚"),
        (K.FITNESS, "fit-1", "太空漫步机", None, None, "中心花园健身区"),
        (K.FITNESS, "fit-2", "智能单车", None, None, "中心花园健身区"),
    ]
    for i in range(1, 4):
        out.append((K.TRASH_BIN, f"bin-{i}", f"垃圾桶 {i}", None, None, f"{i}号垃圾投放点"))
    for i in range(1, 3):
        out.append((K.LIGHT_POLE, f"pole-{i}", f"智慧灯杆 {i}", None, None, f"中心路 {i}"))
    for building in buildings[:3]:
        n = building.name
        out += [
            (K.ELEVATOR, f"lift-{building.pk}", f"{n}电梯", building, 1, "1单元"),
            (K.SPEAKER, f"spk-{building.pk}", f"{n}广播", building, 1, "单元门口"),
            (K.SMOKE, f"smoke-{building.pk}", f"{n}楼道烟感", building, 2, "2楼楼道"),
        ]
    return out


def seed_iot_demo(community: Community, *, seed: int = 42) -> dict:
    if Device.objects.filter(community=community).exists():
        return {"community": community.code, "created": False}
    ensure_profiles(community.pk)
    profiles = {p.kind: p.pk for p in Profile.objects.filter(community=community)}
    buildings = list(Building.objects.filter(community=community).order_by("id"))
    for kind, code, name, building, floor, place in _devices(buildings):
        do_register_device(
            actor=None,
            community_id=community.pk,
            profile_id=profiles[kind],
            code=code,
            name=name,
            building_id=building.pk if building else None,
            floor=floor,
            place=place,
            simulated=True,
        )
    fire_lane = Rule.objects.get(
        community=community, profile_id=profiles[K.AI_CAMERA], alarm_type="fire_lane"
    )
    fire_lane.condition = {**fire_lane.condition, "for_s": DEMO_FIRE_LANE_DWELL_S}
    fire_lane.save()
    Automation.objects.create(
        community=community,
        name="夜间模式",
        trigger={"at": "22:00"},
        steps=[{"type": "broadcast", "text": "夜深了，请关好门窗，注意防火防盗", "priority": "normal"}],
        mode=RunMode.SINGLE,
    )
    Automation.objects.create(
        community=community,
        name="一氧化碳超标后排风30分钟",
        trigger={"alarm_type": "co_high"},
        steps=[
            {"type": "delay", "seconds": 1800},
            {"type": "command", "target": "kind:fan", "name": "fan_off"},
        ],
        mode=RunMode.RESTART,
    )
    _fitness_history(community, random.Random(seed))
    return {
        "community": community.code,
        "created": True,
        "devices": Device.objects.filter(community=community).count(),
    }


FITNESS_DAYS = 30


def _fitness_history(community: Community, rng: random.Random) -> None:
    """The fitness machines' last 30 days as the hourly roll-up would have kept them (mornings
    and evenings busiest), so the console's usage and the residents' page have a month to show."""
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    rows = []
    for device in Device.objects.filter(community=community, profile__kind=K.FITNESS):
        for hour in range(FITNESS_DAYS * 24):
            at = now - timedelta(hours=hour + 1)
            local = timezone.localtime(at).hour
            busy = 6 if local in (6, 7, 8, 18, 19, 20) else 2 if 9 <= local <= 17 else 0
            uses = float(max(0, round(rng.gauss(busy, 1)))) if busy else 0.0
            if uses:
                rows.append(
                    HourlyAggregate(
                        device=device, key="uses", hour=at, count=6, minimum=0, maximum=uses, total=uses
                    )
                )
    HourlyAggregate.objects.bulk_create(rows, batch_size=2000)
