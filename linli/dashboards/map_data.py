"""The site map's data as JSON, without any personal data: the plan, the placed buildings
coloured by their active alarms and open work orders with their houses counted by state, the
access points and devices on the grounds. This is what the big screen embeds (`public_map`,
drawn read-only by `templates/dashboards/_site_map.html` + `static/dashboards/site_map.js`); the
console's map adds the objects not placed yet (`console_map`). Who may read it is for the
caller to check (stats.view over the whole community); the household behind a house is never
here, only on the registry's own pages.

Colours (`tone`): red when a building has an active critical or major alarm or an overdue work
order; amber when it has another active alarm or an open work order; green otherwise."""

import json
from collections.abc import Iterable

from django.utils.translation import gettext as _

from linli.core.dbrouter import reading_from_replica
from linli.core.models import Community
from linli.dashboards import map_files, map_objects
from linli.dashboards.models import MapPin, PinKind, SitePlan, StreetPin
from linli.iot import queries as iot_queries
from linli.registry import queries as registry_queries
from linli.workorders import queries as workorders_queries

GREEN, AMBER, RED = "green", "amber", "red"
SERIOUS = ("critical", "major")  # iot's severities that turn a building red
# A house's state on a building's panel (registry.queries.house_states): lived in without a
# tenant, let to one, or empty. "occupied" (在住) is the first two together, as the daily figures,
# the government view and reports count it.
HOUSE_STATES = ("self_occupied", "rented", "vacant")


def tone(alarms: dict[str, int], open_requests: int = 0, overdue: int = 0) -> str:
    if overdue or any(alarms.get(s) for s in SERIOUS):
        return RED
    if open_requests or any(alarms.values()):
        return AMBER
    return GREEN


def labels() -> dict:
    """The words the drawing needs, in the reader's language."""
    return {
        "tones": {GREEN: _("正常"), AMBER: _("有告警或工单"), RED: _("严重告警或工单超期")},
        "kinds": {k: str(v) for k, v in map_objects.KIND_LABELS.items()},
        "states": {
            "self_occupied": _("自住"),
            "rented": _("出租"),
            "vacant": _("空置"),
            "occupied": _("在住"),
        },
        "houses": _("房屋"),
        "alarms": _("告警"),
        "requests": _("未办结工单"),
        "overdue": _("超期"),
        "offline": _("离线"),
    }


def plan_of(community_id: int) -> dict:
    plan = SitePlan.objects.filter(community_id=community_id).first() or SitePlan()
    return {
        "width": plan.width,
        "height": plan.height,
        "outline": plan.outline,
        "image": bool(plan.image_path),
    }


def _positions(community_id: int) -> dict[tuple[str, int], tuple[float, float]]:
    pins = MapPin.objects.filter(community_id=community_id).values_list("kind", "object_id", "x", "y")
    return {(kind, object_id): (x, y) for kind, object_id, x, y in pins}


def _at(row: dict, position: tuple[float, float] | None) -> dict:
    x, y = position or (None, None)
    return {**row, "x": x, "y": y}


def site_map(community_id: int, *, unplaced: bool = False) -> dict:
    """The map of one community; `unplaced` also lists the objects not on the plan yet (x and
    y null), for the console to drag onto it."""
    where = _positions(community_id)
    alarms = iot_queries.active_alarms_by_building(community_id)
    requests = workorders_queries.open_by_building(community_id)
    houses = registry_queries.housing_by_building(community_id)
    empty = dict.fromkeys(("houses", "occupied", "rented", "vacant"), 0)  # housing_by_building's

    def wanted(kind: str, row: dict) -> bool:
        return unplaced or (kind, row["id"]) in where

    buildings = []
    for row in map_objects.buildings(community_id):
        if not wanted(PinKind.BUILDING, row):
            continue
        its_alarms = alarms.get(row["id"], {})
        its_requests = requests.get(row["id"], {})
        open_n, overdue = its_requests.get("open", 0), its_requests.get("overdue", 0)
        buildings.append(
            _at(
                {
                    **row,
                    "tone": tone(its_alarms, open_n, overdue),
                    "alarms": its_alarms,
                    "requests": {"open": open_n, "overdue": overdue},
                    "houses": houses.get(row["id"], empty),
                },
                where.get((PinKind.BUILDING, row["id"])),
            )
        )
    points = [
        _at(row, where.get((PinKind.ACCESS_POINT, row["id"])))
        for row in map_objects.access_points(community_id)
        if wanted(PinKind.ACCESS_POINT, row)
    ]
    devices = [
        _at(
            {**row, "tone": RED if row["alarms"] else GREEN},
            where.get((PinKind.DEVICE, row["id"])),
        )
        for row in map_objects.devices(community_id)
        if wanted(PinKind.DEVICE, row)
    ]
    return {"plan": plan_of(community_id), "buildings": buildings, "points": points, "devices": devices}


@reading_from_replica()
def public_map(community_id: int) -> dict:
    """What the big screen embeds: the placed objects only, no personal data, with the labels."""
    return {**site_map(community_id), "labels": labels()}


def as_json(found: dict) -> str:
    return json.dumps(found, ensure_ascii=False)


def plan_image(community_id: int) -> tuple[bytes, str] | None:
    """The plan's image and its content type, for whoever serves the map (console or screen)."""
    plan = SitePlan.objects.filter(community_id=community_id).exclude(image_path="").first()
    content = map_files.read(plan.image_path) if plan is not None else None
    return (content, plan.image_type) if plan is not None and content is not None else None


def street_map(communities: Iterable[Community]) -> list[dict]:
    """Each community on the street map: where it is (x and y null until placed), coloured like
    a building by its active alarms and open and overdue work orders, with those counts; the
    same few reads whatever the number of communities."""
    communities = list(communities)
    ids = [c.id for c in communities]
    pins = StreetPin.objects.filter(community_id__in=ids).values_list("community_id", "x", "y")
    where = {c: (x, y) for c, x, y in pins}
    alarms_of = iot_queries.active_alarms_by_community(ids)
    requests_of = workorders_queries.open_counts(ids)
    found = []
    for community in communities:
        alarms = alarms_of[community.id]
        open_n, overdue = requests_of[community.id]["open"], requests_of[community.id]["overdue"]
        found.append(
            _at(
                {
                    "id": community.id,
                    "name": community.name,
                    "street": community.street,
                    "tone": tone(alarms, open_n, overdue),
                    "alarms": sum(alarms.values()),
                    "requests": {"open": open_n, "overdue": overdue},
                },
                where.get(community.id),
            )
        )
    return found
