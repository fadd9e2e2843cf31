"""The console's site map (一张图) and street map. Reading needs stats.view over the whole
community; arranging (plan upload, dragging pins) screen.manage, through the API's operations
(api_map.py) that the page's script calls. A building's panel lists its houses by state; who may
see households (people.view) gets links to the registry's own house pages, never more."""

import json

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from linli.core.errors import ServiceError
from linli.core.permissions import may
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.core.shell.common import Console, show_service_error, staff_view, to_staff_sign_in
from linli.dashboards import map_access, map_data, queries
from linli.dashboards.services import maps
from linli.iot import queries as iot_queries
from linli.registry import queries as registry_queries
from linli.workorders import queries as workorders_queries

TONES = (map_data.GREEN, map_data.AMBER, map_data.RED)
STREET_MAP_MOST = 100  # communities drawn at once; an operator's thousand go street by street


class PlanForm(forms.Form):
    file = forms.FileField(label=_("平面图（PNG、JPEG 或 WebP，不超过 8MB）"))


def _legend() -> list[tuple[str, str]]:
    tones = map_data.labels()["tones"]
    return [(t, tones[t]) for t in TONES]


def _page(request, console: Console, form: PlanForm | None = None, status: int = 200):
    cid = console.community.id
    arrange = map_access.may_arrange(request.user, cid)
    context = {
        "map_src": reverse("api:dashboards_site_map", args=[cid]),
        "save_url": reverse("api:dashboards_set_pin", args=[cid]) if arrange else "",
        "outline_url": reverse("api:dashboards_set_outline", args=[cid]) if arrange else "",
        "panel_url": console.reverse("dashboards:site_map_building", 0),
        "labels": json.dumps(map_data.labels(), ensure_ascii=False),
        "legend": _legend(),
        "arrange": arrange,
        "form": form or PlanForm(),
        "street_url": reverse("dashboards:street_map"),
    }
    return console.render(request, "dashboards/map.html", context, status=status)


@staff_view(Action.STATS_VIEW, section="site_map")
def site_map(request, console: Console):
    map_access.readable(request.user, console.community.id)
    return _page(request, console)


@staff_view(Action.SCREEN_MANAGE, section="site_map")
def upload_plan(request, console: Console):
    """The plan image by a form (the page works without the API for this one)."""
    map_access.readable(request.user, console.community.id)
    if request.method != "POST":
        return redirect("dashboards:site_map", console.community.id)
    form = PlanForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            maps.do_upload_plan(
                actor=request.user,
                community_id=console.community.id,
                data=upload.read(maps.MAX_PLAN_BYTES + 1),
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("平面图已更新"))
            return redirect("dashboards:site_map", console.community.id)
    return _page(request, console, form, status=422)


@staff_view(Action.STATS_VIEW, section="site_map")
def building(request, console: Console, building_id: int):
    """A building's panel: its colour's reasons and its houses by state (numbers only); links to
    the registry's house pages for those who may see the household there."""
    cid = console.community.id
    map_access.readable(request.user, cid)
    if not registry_queries.building_in(cid, building_id):
        raise Http404
    name = dict(registry_queries.buildings_of(cid))[building_id]
    houses = registry_queries.house_states(cid, building_id)
    households = may(request.user, Action.PEOPLE_VIEW, cid, building_id)
    for house in houses:
        house["url"] = console.reverse("registry:house", house["id"]) if households else ""
    alarms = iot_queries.active_alarms_by_severity(cid, building_ids=[building_id])
    requests = workorders_queries.open_by_building(cid, {building_id}).get(building_id, {})
    open_n, overdue = requests.get("open", 0), requests.get("overdue", 0)
    labels = map_data.labels()
    tone = map_data.tone(alarms, open_n, overdue)
    context = {
        "building_name": name,
        "houses": houses,
        "counts": _house_counts(houses, labels["states"]),
        "alarms": sum(alarms.values()),
        "open_requests": open_n,
        "overdue": overdue,
        "tone": tone,
        "tone_label": labels["tones"][tone],
        "states": labels["states"],
    }
    template = (
        "dashboards/map_building.html"
        if request.headers.get("HX-Request")
        else "dashboards/map_building_page.html"
    )
    return console.render(request, template, context)


def _house_counts(houses: list[dict], names: dict[str, str]) -> list[tuple[str, str, int]]:
    """在住 (occupied: self-occupied or rented), 出租 and 空置, as the daily figures count a
    building's houses: [(state, label, n)]."""
    n = {s: sum(h["state"] == s for h in houses) for s in map_data.HOUSE_STATES}
    occupied = n["self_occupied"] + n["rented"]
    return [("occupied", names["occupied"], occupied)] + [(s, names[s], n[s]) for s in ("rented", "vacant")]


def street_map(request):
    """The street map: the communities the user reads (stats.view over each), all of them, or
    one street's (`?street=`, the first street when there are too many to draw at once); placed
    by drag by those who arrange the community's map."""
    if not request.user.is_authenticated:
        return to_staff_sign_in(request)
    readable = queries.stats_communities(request.user)
    streets = sorted(set(readable.values_list("street", flat=True)))
    street = request.GET.get("street")
    if street not in streets and readable.count() > STREET_MAP_MOST:
        street = streets[0] if streets else ""
    communities = list(readable if street not in streets else readable.filter(street=street))
    if not communities:
        raise Http404
    console = Console(communities[0], communities, scope_of(request.user), "street_map")
    scope = scope_of(request.user)
    data = {
        "plan": {"width": 1000, "height": 700, "outline": [], "image": False},
        "communities": map_data.street_map(communities),
        "labels": map_data.labels(),
    }
    arranged = [c.id for c in communities if scope.covers_community(Action.SCREEN_MANAGE, c.id)]
    context = {
        "data": json.dumps(data, ensure_ascii=False),
        "save_url": reverse("api:dashboards_set_street_pin", args=[0]) if arranged else "",
        "page_url": reverse("dashboards:site_map", args=[0]),
        "streets": streets,
        "street": street if street in streets else None,
        "legend": _legend(),
    }
    return console.render(request, "dashboards/map_street.html", context)
