"""What can be placed on a community's site plan, read through the owning apps' queries (no user
argument: dashboards checks who asks): its buildings, the access points one passes outside
buildings, and the devices that stand on the grounds. Names and kinds only."""

from django.utils.translation import gettext_lazy as _

from linli.access import queries as access_queries
from linli.dashboards.models import PinKind
from linli.iot import queries as iot_queries
from linli.registry import queries as registry_queries

KIND_LABELS = {PinKind.BUILDING: _("楼栋"), PinKind.ACCESS_POINT: _("出入口"), PinKind.DEVICE: _("设备")}


def buildings(community_id: int) -> list[dict]:
    return [{"id": i, "name": name} for i, name in registry_queries.buildings_of(community_id)]


def access_points(community_id: int) -> list[dict]:
    return access_queries.site_points(community_id)


def devices(community_id: int) -> list[dict]:
    return iot_queries.site_devices(community_id)


def placeable(community_id: int, kind: str) -> dict[int, str]:
    """{id: name} of the community's objects of one pin kind."""
    read = {PinKind.BUILDING: buildings, PinKind.ACCESS_POINT: access_points, PinKind.DEVICE: devices}[
        PinKind(kind)
    ]
    return {row["id"]: row["name"] for row in read(community_id)}
