"""Access demo data for a demo community: `seed_access_demo(community)`, called by the demo
seeder after the registry is built. Idempotent: a community that already has access points is
left as it is.

It installs gates, barriers, building doors and elevators with terminals; derives everyone's
grants from the registry; issues demo cards (and a nanny for the demo owner); and plays a day of
traffic through the real decision service (so events, security events, passes, parking records
and a care alert all come from the same code paths as in production). The terminals' secrets and
the demo card numbers are written to var/access-demo-<code>.json for `linli terminal-sim`.
"""

import json
import os
import random
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from linli.access import services
from linli.access.choices import CareRuleKind, Direction, PointKind
from linli.access.models import AccessPoint, Terminal
from linli.access.pass_tokens import pass_token
from linli.core.models import Community, Membership
from linli.core.roles import Role
from linli.registry.choices import Relation
from linli.registry.models import Building, CareTag, Occupancy, Person, Vehicle

DEMO_OWNER_PHONE = "13800138001"
DOORS_WITH_ELEVATOR = 3
CARDS = 200


def _actor(community: Community):
    membership = (
        Membership.objects.filter(community=community, role=Role.COMMUNITY_ADMIN)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise RuntimeError(
            f"{community.code}: the access demo needs a community admin (seed the registry first)"
        )
    return membership.user


def _install(actor, community: Community) -> dict[str, AccessPoint]:
    def point(name, kind, building=None, direction=Direction.BOTH):
        return services.do_create_point(
            actor=actor, community=community, name=name, kind=kind, building=building, direction=direction
        )

    points = {
        "南门": point("南门", PointKind.COMMUNITY_GATE, direction=Direction.IN),
        "南门出口": point("南门出口", PointKind.COMMUNITY_GATE, direction=Direction.OUT),
        "北门": point("北门", PointKind.COMMUNITY_GATE),
        "地库入口": point("地库入口", PointKind.GARAGE_BARRIER, direction=Direction.IN),
        "地库出口": point("地库出口", PointKind.GARAGE_BARRIER, direction=Direction.OUT),
    }
    for index, building in enumerate(Building.objects.filter(community=community).order_by("id")):
        points[f"{building.name}大堂门"] = point(f"{building.name}大堂门", PointKind.BUILDING_DOOR, building)
        if index < DOORS_WITH_ELEVATOR:
            points[f"{building.name}电梯"] = point(f"{building.name}电梯", PointKind.ELEVATOR, building)
    return points


def _terminals(actor, points: dict[str, AccessPoint]) -> dict[str, dict]:
    first_door = next(name for name in points if name.endswith("大堂门"))
    wanted = ["南门", "南门出口", "地库入口", "地库出口", first_door]
    out = {}
    for name in wanted:
        terminal, token = services.do_register_terminal(actor=actor, point=points[name], name=f"{name}终端")
        out[name] = {"terminal": terminal.pk, "point": points[name].pk, "token": token}
    return out


def _residents(community: Community, today) -> list[Occupancy]:
    return list(
        Occupancy.objects.active(today)
        .filter(house__community=community, person__erased_at__isnull=True)
        .select_related("person", "house__building")
        .order_by("id")
    )


def _write_secrets(community: Community, data: dict) -> Path:
    path = Path(settings.VAR_DIR) / f"access-demo-{community.code}.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
    return path


def _traffic(rng: random.Random, points, terminals, cards: dict[str, int], now) -> None:
    """A day of passages through the decision service, most allowed, a few strangers."""
    by_name = {
        name: Terminal.objects.select_related("point").get(pk=t["terminal"]) for name, t in terminals.items()
    }
    numbers = list(cards)
    for minute in range(0, 24 * 60, 7):
        at = now - timedelta(minutes=24 * 60 - minute)
        gate = by_name["南门"] if minute % 2 else by_name["南门出口"]
        number = rng.choice(numbers) if rng.random() > 0.04 else f"BAD{rng.randint(0, 99999):05d}"
        services.do_decide(terminal=gate, method="card", card=number, now=at)


def _elderly_outing(actor, community, terminals, cards_by_person: dict[int, str], now) -> None:
    """Care rules for every consented care tag; one 独居老人 went out 14 hours ago and has not
    come back, so the care job alerts the family and the grid worker."""
    gate_out = Terminal.objects.select_related("point").get(pk=terminals["南门出口"]["terminal"])
    outing = False
    for tag in CareTag.objects.filter(community=community, revoked_at__isnull=True).select_related("person"):
        for kind, hours in ((CareRuleKind.NOT_BACK, 12), (CareRuleKind.NO_EXIT, 48)):
            services.do_set_care_rule(actor=actor, person=tag.person, kind=kind, hours=hours)
        number = cards_by_person.get(tag.person_id)
        if number is not None and not outing:
            services.do_decide(terminal=gate_out, method="card", card=number, now=now - timedelta(hours=14))
            outing = True


@transaction.atomic
def seed_access_demo(community: Community, *, seed: int = 42) -> dict:
    """Returns a summary (and writes the terminals' secrets to var/)."""
    if AccessPoint.objects.filter(community=community).exists():
        return {"community": community.code, "created": False}
    rng = random.Random(f"{seed}:{community.code}:access")
    now = timezone.now()
    actor = _actor(community)
    points = _install(actor, community)
    terminals = _terminals(actor, points)
    grants = services.bulk_sync_community(community.pk, now=now)
    services.sync_staff_grants(community.pk, now=now)

    residents = _residents(community, timezone.localdate(now))
    front_desk = Membership.objects.filter(community=community, role=Role.FRONT_DESK).first()
    issuer = front_desk.user if front_desk else actor
    cards: dict[str, int] = {}
    cards_by_person: dict[int, str] = {}
    owner = None
    seen = set()
    care_people = set(
        CareTag.objects.filter(community=community, revoked_at__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    picked = [o for o in residents if o.person.phone_bidx or o.person_id in care_people]
    for occupancy in picked[:CARDS] + [o for o in picked[CARDS:] if o.person_id in care_people]:
        if occupancy.person_id in seen:
            continue
        seen.add(occupancy.person_id)
        number = f"D{len(cards) + 1:07d}"
        services.do_issue_card(actor=issuer, person=occupancy.person, number=number)
        cards[number] = occupancy.person_id
        cards_by_person[occupancy.person_id] = number
        if occupancy.person.phone == DEMO_OWNER_PHONE and occupancy.relation in (
            Relation.OWNER,
            Relation.CO_OWNER,
        ):
            owner = occupancy

    summary = {
        "community": community.code,
        "created": True,
        "points": len(points),
        "grants": grants,
        "cards": len(cards),
    }
    if owner is not None and owner.person.user_id:
        services.do_add_household_helper(
            actor=owner.person.user,
            house=owner.house,
            name="刘阿姨",
            phone="13911112222",
            label="保姆",
            schedule=[{"days": [1, 2, 3, 4, 5], "start": "08:00", "end": "18:00"}],
        )
        visitor = services.do_create_pass(actor=owner.person.user, house=owner.house, visitor_name="张阿姨")
        services.do_create_pass(
            actor=owner.person.user, house=owner.house, visitor_name="顺丰快递", kind="courier"
        )
        gate = Terminal.objects.select_related("point").get(pk=terminals["南门"]["terminal"])

        # 张阿姨 arrives just after the invitation: the pass shows one use
        services.do_decide(terminal=gate, method="qr", qr=pass_token(visitor), now=timezone.now())
    everyday = {n: p for n, p in cards.items() if p not in care_people}  # the elderly's outing is scripted
    _traffic(rng, points, terminals, everyday, now)
    barrier = Terminal.objects.select_related("point").get(pk=terminals["地库入口"]["terminal"])
    for vehicle in Vehicle.objects.filter(community=community).order_by("id")[:20]:
        services.do_plate_event(
            terminal=barrier, plate=vehicle.plate, now=now - timedelta(hours=rng.randint(1, 12))
        )
    for plate in ("京N8A866", "冀F12345", "豫A7B123"):
        services.do_plate_event(terminal=barrier, plate=plate, now=now - timedelta(hours=rng.randint(1, 5)))
    _elderly_outing(actor, community, terminals, cards_by_person, now)
    services.evaluate_care_rules(now)
    door = next(p for name, p in points.items() if name.endswith("大堂门"))
    summary["secrets"] = str(
        _write_secrets(
            community,
            {
                "url": settings.LINLI_PUBLIC_URL,
                "terminals": terminals,
                "cards": {
                    number: Person.objects.get(pk=pid).name for number, pid in list(cards.items())[:20]
                },
                "example": f"python -m linli terminal-sim --token {terminals[door.name]['token']} sync"
                if door.name in terminals
                else "",
            },
        )
    )
    return summary
