"""An installed site on top of the persona world: points, terminals, and the registry's
grants synced once (as the scheduler would have done)."""

from dataclasses import dataclass

import pytest

from linli.access import services
from linli.access.choices import Direction, PointKind
from linli.access.models import AccessPoint, Terminal


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


def install(world) -> Site:
    from linli.testing import factories as f

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
    other_door = point("2号楼大堂门", PointKind.BUILDING_DOOR, f.building(world.a, "2号楼"))
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


@pytest.fixture
def site(world):
    return install(world)


@pytest.fixture
def clock(monkeypatch):
    """Time travel: every `timezone.now()` (and so localdate) answers the set instant."""
    from django.utils import timezone

    class Clock:
        def set(self, when):
            monkeypatch.setattr(timezone, "now", lambda: when)
            return when

    return Clock()


def local(year, month, day, hour=0, minute=0):
    from datetime import datetime

    from django.utils import timezone

    return timezone.make_aware(datetime(year, month, day, hour, minute))


class ClientTransport:
    """The simulator's transport in tests: Django's test client, with a switch that pulls
    the cable (every request raises Unreachable, as urllib would)."""

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


@pytest.fixture
def sim(site):
    """A simulated terminal at the 1号楼 door, factory for others: sim("gate")."""
    from linli.access.sim import TerminalSimulator

    def make(name="door"):
        return TerminalSimulator(ClientTransport(site.token(name)))

    return make
