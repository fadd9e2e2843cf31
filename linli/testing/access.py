"""Test support that other apps' tests use too: an installed access site on top of the persona
world, and the ids of community A's access objects for the platform-wide outsider test."""

from dataclasses import dataclass

from linli.access import services
from linli.access.choices import Direction, PointKind
from linli.access.models import AccessPoint, CareAlert, SecurityEvent, Terminal, Zone
from linli.registry.models import Building, CareTag
from linli.registry.services import do_add_care_tag
from linli.testing import factories as f


@dataclass
class Site:
    gate: AccessPoint  # 东门 (in)
    gate_out: AccessPoint  # 东门出口 (out)
    door: AccessPoint  # 1号楼 building door
    other_door: AccessPoint  # 2号楼 building door (nobody of the world lives there)
    barrier: AccessPoint  # 车库入口 (in)
    barrier_out: AccessPoint
    gate_b: AccessPoint  # community B's gate
    terminals: dict[str, tuple[Terminal, str]]

    def token(self, name: str) -> str:
        return self.terminals[name][1]

    def terminal(self, name: str) -> Terminal:
        return self.terminals[name][0]


class ClientTransport:
    """The terminal simulator's transport in tests: Django's test client, with a switch that
    pulls the cable (every request raises Unreachable, as urllib would)."""

    def __init__(self, token: str):
        from django.test import Client

        self.client = Client()
        self.token = token
        self.online = True

    def request(self, method, path, body=None):
        import json

        from linli.access.sim import Unreachable

        if not self.online:
            raise Unreachable("cable pulled")
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        r = getattr(self.client, method.lower())("/api/v1" + path, **kwargs)
        return r.status_code, r.json()


def install(world) -> Site:
    admin = world.admin

    def point(name, kind, building=None, direction=Direction.BOTH, community=None, actor=admin):
        return services.do_create_point(
            actor=actor,
            community=community or world.a,
            name=name,
            kind=kind,
            building=building,
            direction=direction,
        )

    gate = point("东门", PointKind.COMMUNITY_GATE, direction=Direction.IN)
    gate_out = point("东门出口", PointKind.COMMUNITY_GATE, direction=Direction.OUT)
    door = point("1号楼大堂门", PointKind.BUILDING_DOOR, world.building)
    other = Building.objects.filter(community=world.a, name="2号楼").first() or f.building(world.a, "2号楼")
    other_door = point("2号楼大堂门", PointKind.BUILDING_DOOR, other)
    barrier = point("车库入口", PointKind.GARAGE_BARRIER, direction=Direction.IN)
    barrier_out = point("车库出口", PointKind.GARAGE_BARRIER, direction=Direction.OUT)
    gate_b = point("和平苑南门", PointKind.COMMUNITY_GATE, community=world.b, actor=world.outsider)
    terminals = {}
    for name, p, actor in (
        ("gate", gate, admin),
        ("gate_out", gate_out, admin),
        ("door", door, admin),
        ("other_door", other_door, admin),
        ("barrier", barrier, admin),
        ("barrier_out", barrier_out, admin),
        ("gate_b", gate_b, world.outsider),
    ):
        terminals[name] = services.do_register_terminal(actor=actor, point=p, name=f"{p.name}终端")
    services.consume_registry_changes()
    return Site(gate, gate_out, door, other_door, barrier, barrier_out, gate_b, terminals)


def outsider_probe_ids(world) -> dict[str, int]:
    """One of each access object of community A, for linli/core/tests/test_outsider_everywhere.py."""
    from django.utils import timezone

    site = install(world)
    grant = services.do_grant_household_access(
        actor=world.owner, house=world.house, person=world.neighbour.people.get(), label="保姆"
    )
    card = services.do_issue_card(actor=world.front_desk, person=world.owner_person, number="0B5E0001")
    services.do_decide(terminal=site.terminal("door"), method="card", card="0B5E0002")
    if not CareTag.objects.filter(person=world.owner_person, revoked_at__isnull=True).exists():
        do_add_care_tag(
            actor=world.grid_worker,
            person=world.owner_person,
            kind="elderly",
            consent_by="本人",
            consent_method="书面",
        )
    rule = services.do_set_care_rule(
        actor=world.grid_worker, person=world.owner_person, kind="no_exit", hours=24
    )
    alert = CareAlert.objects.create(
        community=world.a,
        rule=rule,
        person=world.owner_person,
        kind=rule.kind,
        condition_at=timezone.now(),
        raised_at=timezone.now(),
    )
    visitor_pass = services.do_create_pass(actor=world.owner, house=world.house, visitor_name="王建国的客人")
    call = services.do_start_call(terminal=site.terminal("gate"), house=world.house)
    return {
        "point_id": site.gate.id,
        "zone_id": Zone.objects.filter(community=world.a).first().id,
        "terminal_id": site.terminal("gate").id,
        "grant_id": grant.id,
        "credential_id": card.id,
        "event_id": SecurityEvent.objects.get(point=site.door).id,
        "rule_id": rule.id,
        "alert_id": alert.id,
        "pass_id": visitor_pass.id,
        "call_id": call.id,
    }


def narrowed_probe_ids(world, narrowed) -> dict[str, int]:
    """One of each access object of 2号楼 (built by personas.build_narrowed), for
    linli/core/tests/test_narrowed_staff_everywhere.py: staff of 1号楼 must reach none of them."""
    from django.utils import timezone

    from linli.access.models import AccessEvent, Grant, Zone
    from linli.registry.services import do_add_care_tag

    site = install(world)  # its 2号楼 door is the narrowed world's other building
    admin, person, house = world.admin, narrowed.other_person, narrowed.other_house
    services.consume_registry_changes()  # the resident grants of 钱二楼
    card = services.do_issue_card(actor=admin, person=person, number="0B5E0009")
    door = site.terminal("other_door")
    services.do_decide(terminal=door, method="card", card="0B5E0009")  # a passage at 2号楼
    services.do_decide(terminal=door, method="card", card="0B5E0008")  # an unknown card: security
    do_add_care_tag(actor=admin, person=person, kind="elderly", consent_by="本人", consent_method="书面")
    rule = services.do_set_care_rule(actor=admin, person=person, kind="no_exit", hours=24)
    alert = CareAlert.objects.create(
        community=world.a,
        rule=rule,
        person=person,
        kind=rule.kind,
        condition_at=timezone.now(),
        raised_at=timezone.now(),
    )
    visitor_pass = services.do_register_walk_in(
        actor=admin, house=house, visitor_name="钱二楼的客人", id_number="11010519491231002X"
    )
    call = services.do_start_call(terminal=door, house=house)
    assert AccessEvent.objects.filter(point=site.other_door, person=person).exists()
    return {
        "point_id": site.other_door.id,
        "zone_id": Zone.objects.get(building=site.other_door.building_id).id,
        "terminal_id": door.id,
        "grant_id": Grant.objects.filter(person=person, house=house).first().id,
        "credential_id": card.id,
        "event_id": SecurityEvent.objects.get(point=site.other_door).id,
        "rule_id": rule.id,
        "alert_id": alert.id,
        "pass_id": visitor_pass.id,
        "call_id": call.id,
    }
