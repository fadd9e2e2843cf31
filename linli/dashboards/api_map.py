"""/api/v1/dashboards: the site map (DASH-2). Thin: who may read or arrange it is map_access's,
what it shows map_data's (no personal data), writes the services'. Read with stats.view over the
whole community; arranged with screen.manage."""

from django.http import Http404, HttpResponse
from django.urls import reverse
from ninja import File, Router
from ninja.files import UploadedFile

from linli.dashboards import map_access, map_data
from linli.dashboards.schemas_map import (
    MapPinIn,
    MapPinOut,
    MapPlanOut,
    OutlineIn,
    SiteMapOut,
    StreetPinIn,
    StreetPinOut,
)
from linli.dashboards.services import maps

router = Router(tags=["dashboards"])


def _plan_out(plan) -> dict:
    return {
        "width": plan.width,
        "height": plan.height,
        "outline": plan.outline,
        "image": bool(plan.image_path),
    }


@router.get("/communities/{community_id}/map", response=SiteMapOut, url_name="dashboards_site_map")
def site_map(request, community_id: int):
    """The plan with every building, access point and device of the grounds (x and y null while
    not placed), buildings coloured by active alarms and open work orders, houses counted by
    state. No one's name: the household is only on the registry's own house pages."""
    map_access.readable(request.user, community_id)
    found = map_data.site_map(community_id, unplaced=True)
    image = reverse("api:dashboards_plan_image", args=[community_id]) if found["plan"]["image"] else ""
    return {**found, "image_url": image, "editable": map_access.may_arrange(request.user, community_id)}


@router.get("/communities/{community_id}/map/plan", url_name="dashboards_plan_image")
def plan_image(request, community_id: int):
    """The plan's image (PNG or JPEG, re-encoded at upload); 404 without one."""
    map_access.readable(request.user, community_id)
    found = map_data.plan_image(community_id)
    if found is None:
        raise Http404
    response = HttpResponse(found[0], content_type=found[1])
    response["Cache-Control"] = "private, max-age=3600"
    return response


@router.post("/communities/{community_id}/map/plan", response={200: MapPlanOut})
def upload_plan(request, community_id: int, file: File[UploadedFile]):
    """A new plan image: PNG, JPEG or WebP up to 8 MB (`plan_too_large`), anything else
    `plan_not_image`; pins keep their places as fractions of the plan."""
    map_access.readable(request.user, community_id)
    data = file.read(maps.MAX_PLAN_BYTES + 1)
    return _plan_out(maps.do_upload_plan(actor=request.user, community_id=community_id, data=data))


@router.put("/communities/{community_id}/map/outline", response=MapPlanOut, url_name="dashboards_set_outline")
def set_outline(request, community_id: int, payload: OutlineIn):
    """The community's boundary drawn as 3 to 200 points (`invalid_outline`), or none to clear it."""
    map_access.readable(request.user, community_id)
    plan = maps.do_set_outline(
        actor=request.user,
        community_id=community_id,
        points=payload.points,
        width=payload.width,
        height=payload.height,
    )
    return _plan_out(plan)


@router.put("/communities/{community_id}/map/pins", response=MapPinOut, url_name="dashboards_set_pin")
def set_pin(request, community_id: int, payload: MapPinIn):
    """Places a building, access point or device of this community on its plan, or moves it.
    Refused: an object of another community (`pin_object_not_found`), a place off the plan."""
    map_access.readable(request.user, community_id)
    return maps.do_set_pin(actor=request.user, community_id=community_id, **payload.dict())


@router.put(
    "/communities/{community_id}/street-pin", response=StreetPinOut, url_name="dashboards_set_street_pin"
)
def set_street_pin(request, community_id: int, payload: StreetPinIn):
    """Places the community on the street map, or moves it."""
    map_access.readable(request.user, community_id)
    return maps.do_set_street_pin(actor=request.user, community_id=community_id, x=payload.x, y=payload.y)
