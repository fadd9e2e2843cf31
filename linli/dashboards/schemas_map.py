"""Request and response shapes of the site map's API (linli/dashboards/api_map.py)."""

from typing import Annotated

from ninja import Schema
from pydantic import Field

from linli.core.schema_types import Id, InputSchema, Int, column
from linli.dashboards.models import MapPin
from linli.dashboards.services.maps import MAX_OUTLINE_POINTS

# A position on a plan: a fraction of its width (x, from the left) or height (y, from the top).
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Point = Annotated[list[Fraction], Field(min_length=2, max_length=2)]


class MapPinIn(InputSchema):
    kind: column(MapPin, "kind")
    object_id: Id
    x: Fraction
    y: Fraction


class MapPinOut(Schema):
    kind: str
    object_id: int
    x: float
    y: float


class OutlineIn(InputSchema):
    points: list[Point] = Field(max_length=MAX_OUTLINE_POINTS)
    width: Int(100, 10_000) | None = None
    height: Int(100, 10_000) | None = None


class StreetPinIn(InputSchema):
    x: Fraction
    y: Fraction


class MapPlanOut(Schema):
    width: int
    height: int
    outline: list[list[float]]
    image: bool


class Counts(Schema):
    open: int
    overdue: int


class HousesOut(Schema):
    houses: int = Field(description="residential houses")
    occupied: int = Field(description="someone lives there, self-occupied or rented (在住)")
    rented: int = Field(description="a tenant lives there: a part of occupied (出租)")
    vacant: int = Field(description="nobody lives there: houses − occupied (空置)")


class MapBuildingOut(Schema):
    id: int
    name: str
    x: float | None
    y: float | None
    tone: str = Field(
        description="green, amber (an alarm or an open work order) or red (a critical or major alarm, or an overdue work order)"
    )
    alarms: dict[str, int] = Field(description="active alarms by severity")
    requests: Counts
    houses: HousesOut


class MapPointOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    x: float | None
    y: float | None


class MapDeviceOut(MapPointOut):
    online: bool
    alarms: int
    tone: str


class SiteMapOut(Schema):
    plan: MapPlanOut
    image_url: str = Field(description="the plan's image, empty without one")
    editable: bool = Field(description="whether the caller may upload the plan and place pins")
    buildings: list[MapBuildingOut]
    points: list[MapPointOut]
    devices: list[MapDeviceOut]


class StreetPinOut(Schema):
    community_id: int
    x: float
    y: float
