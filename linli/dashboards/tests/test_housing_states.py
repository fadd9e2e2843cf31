"""One meaning of "occupied" (在住) everywhere: a residential house someone lives in, by its owner
and family (self-occupied, 自住) or by a tenant (rented, 出租, a part of occupied); vacant (空置)
is nobody, houses − occupied. The daily figures, the government view, reports, the site map and
its building panel, and the big screen's map agree on a building counted by hand."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from linli.dashboards.services import daily_figures
from linli.registry.models import Occupancy
from linli.testing import factories as f

pytestmark = pytest.mark.django_db

# 1号楼 counted by hand. The world's 301 (owner and tenant: rented) and 302 (its owner:
# self-occupied); 303 a tenant alone (rented); 304 an owner who lives elsewhere (vacant); 305
# nobody (vacant); a shop on the ground floor (not a home: not counted).
HOUSES, OCCUPIED, RENTED, VACANT, SELF_OCCUPIED = 5, 3, 2, 2, 1


@pytest.fixture
def building(world):
    unit = world.house.unit
    lease_end = timezone.localdate() + timedelta(days=180)
    f.occupy(
        f.house(unit, "303"), f.person(world.a, "租客丙", hukou_local=False), "tenant", valid_to=lease_end
    )
    away = f.occupy(f.house(unit, "304"), f.person(world.a, "业主丁"), "owner")
    Occupancy.objects.filter(pk=away.pk).update(lives_here=False)
    f.house(unit, "305")
    f.occupy(f.house(unit, "S1", floor=1, type="shop"), f.person(world.a, "店主戊"), "owner")
    daily_figures.do_compute_daily_figures(world.a.id, timezone.localdate())
    return world.building


def test_the_daily_figures_and_the_government_view_count_occupied_as_lived_in(world, api, building):
    got = api(world.staff).get(f"/dashboards/communities/{world.a.id}/figures").json()
    for row in (got, next(b for b in got["buildings"] if b["name"] == "1号楼")):
        figures = {x["key"]: x["value"] for x in row["figures"]}
        assert (figures["housing.occupied"], figures["housing.rented"], figures["housing.vacant"]) == (
            OCCUPIED,
            RENTED,
            VACANT,
        )


def test_the_housing_report_counts_the_same(world, building):
    client = Client()
    client.force_login(world.admin)
    month = f"{timezone.localdate():%Y-%m}"
    r = client.get(f"/staff/{world.a.id}/dashboards/reports/housing.xlsx", {"month": month})
    assert r.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    summary = [tuple(row) for row in book["概况"].iter_rows(values_only=True)][1:]
    assert summary == [("住宅总数", HOUSES), ("在住", OCCUPIED), ("出租", RENTED), ("空置", VACANT)]
    per_building = [tuple(row) for row in book["分楼栋"].iter_rows(values_only=True)]
    assert per_building[0] == ("楼栋", "住宅总数", "在住", "出租", "空置")
    assert ("1号楼", HOUSES, OCCUPIED, RENTED, VACANT) in per_building


def test_the_site_map_its_panel_and_the_screens_map_count_the_same(world, api, browser, building):
    client = api(world.staff)
    placed = {"kind": "building", "object_id": building.id, "x": 0.5, "y": 0.5}
    assert client.put(f"/dashboards/communities/{world.a.id}/map/pins", placed).status_code == 200
    expected = {"houses": HOUSES, "occupied": OCCUPIED, "rented": RENTED, "vacant": VACANT}
    site_map = client.get(f"/dashboards/communities/{world.a.id}/map").json()
    assert site_map["buildings"][0]["houses"] == expected
    screen_map = browser(world.staff).get(f"/screen/{world.a.id}/map").json()
    assert screen_map["buildings"][0]["houses"] == expected
    assert screen_map["labels"]["states"]["occupied"] == "在住"
    panel = browser(world.staff).get(f"/staff/{world.a.id}/dashboards/map/buildings/{building.id}/")
    html = panel.content.decode()
    assert f"在住 {OCCUPIED}" in html and f"出租 {RENTED}" in html and f"空置 {VACANT}" in html
    # Each house's own state: 302 self-occupied; 301 and 303 rented; 304 and 305 vacant.
    assert html.count('title="自住"') == SELF_OCCUPIED
    assert html.count('title="出租"') == RENTED and html.count('title="空置"') == VACANT
    assert "S1" not in html
