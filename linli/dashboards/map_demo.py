"""The site map's part of a demo community (called from `demo.py`): an outline of the grounds,
the buildings in rows inside it, each building's door beside it, the gates on the edge the name
says (北门 at the top, the others at the bottom), a few devices between the buildings, and the
community on its street's map. Idempotent: a community with pins already is left as it is."""

import math
import random

from linli.core.models import Community, Membership
from linli.core.roles import Role
from linli.dashboards import map_objects
from linli.dashboards.models import MapPin, PinKind, StreetPin
from linli.dashboards.services import maps

OUTLINE = [[0.04, 0.1], [0.5, 0.04], [0.96, 0.1], [0.96, 0.9], [0.6, 0.96], [0.04, 0.92]]
DEVICES = 10  # a few of the grounds' devices, the rest left to place in the console
TOP, BOTTOM = 0.07, 0.93


def seed_map_demo(community: Community, *, seed: int = 0) -> dict:
    admin = Membership.objects.filter(community=community, role=Role.COMMUNITY_ADMIN).first()
    if admin is None or MapPin.objects.filter(community=community).exists():
        return {"pins": 0}
    actor, cid = admin.user, community.id
    maps.do_set_outline(actor=actor, community_id=cid, points=OUTLINE, width=1000, height=700)
    placed = _buildings(actor, cid)
    placed += _points(actor, cid, placed)
    placed += _devices(actor, cid, random.Random(seed))
    _on_the_street(actor, community)
    return {"pins": len(placed)}


def _set(actor, cid: int, kind: str, object_id: int, x: float, y: float) -> tuple[str, int, float, float]:
    maps.do_set_pin(
        actor=actor, community_id=cid, kind=kind, object_id=object_id, x=round(x, 4), y=round(y, 4)
    )
    return kind, object_id, x, y


def _buildings(actor, cid: int) -> list:
    buildings = map_objects.buildings(cid)
    if not buildings:
        return []
    columns = max(1, math.ceil(math.sqrt(len(buildings) * 1.5)))
    rows = math.ceil(len(buildings) / columns)
    return [
        _set(
            actor,
            cid,
            PinKind.BUILDING,
            b["id"],
            0.14 + (i % columns) * 0.72 / max(columns - 1, 1),
            0.2 + (i // columns) * 0.56 / max(rows - 1, 1),
        )
        for i, b in enumerate(buildings)
    ]


def _points(actor, cid: int, buildings: list) -> list:
    """A building's door just below it; gates and barriers spread along the top or bottom edge."""
    where = {object_id: (x, y) for _kind, object_id, x, y in buildings}
    names = {b["name"]: b["id"] for b in map_objects.buildings(cid)}
    placed, edges = [], {TOP: [], BOTTOM: []}
    for point in map_objects.access_points(cid):
        own = max((n for n in names if point["name"].startswith(n)), key=len, default=None)
        if point["kind"] == "building_door" and own and names[own] in where:
            x, y = where[names[own]]
            placed.append(_set(actor, cid, PinKind.ACCESS_POINT, point["id"], x, min(y + 0.06, 1)))
        else:
            edges[TOP if "北" in point["name"] else BOTTOM].append(point)
    for y, points in edges.items():
        for i, point in enumerate(points):
            placed.append(_set(actor, cid, PinKind.ACCESS_POINT, point["id"], (i + 1) / (len(points) + 1), y))
    return placed


def _devices(actor, cid: int, rng: random.Random) -> list:
    return [
        _set(actor, cid, PinKind.DEVICE, d["id"], rng.uniform(0.1, 0.9), rng.uniform(0.14, 0.86))
        for d in map_objects.devices(cid)[:DEVICES]
    ]


def _on_the_street(actor, community: Community) -> None:
    """The communities of the street side by side, in the order they were created, three to a
    row (a street with more than nine wraps round: the demo goes on an installation of any size)."""
    neighbours = Community.objects.filter(district=community.district, street=community.street)
    i = list(neighbours.order_by("id").values_list("id", flat=True)).index(community.id) % 9
    if not StreetPin.objects.filter(community=community).exists():
        maps.do_set_street_pin(
            actor=actor,
            community_id=community.id,
            x=round(0.25 + (i % 3) * 0.25, 4),
            y=round(0.2 + (i // 3) * 0.3, 4),
        )
