"""The console's site map pages: the map page (arranging only for screen.manage), a building's
panel with its houses by state and links to the registry's house pages only for people.view, the
plan upload form, the street map, and the 404 for the outsider and staff narrowed to a building."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from PIL import Image

from linli.dashboards import map_data
from linli.dashboards.models import SitePlan
from linli.dashboards.services.maps import do_set_pin, do_set_street_pin
from linli.testing import factories as f
from linli.testing.personas import build_narrowed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def map_url(world) -> str:
    return reverse("dashboards:site_map", args=[world.a.id])


def panel_url(world, building_id: int) -> str:
    return reverse("dashboards:site_map_building", args=[world.a.id, building_id])


def test_the_map_page_offers_arranging_to_the_manager_only(world, browser):
    page = browser(world.staff).get(map_url(world))
    assert page.status_code == 200
    html = page.content.decode()
    assert "一张图" in html and "data-save-url" in html and 'id="plan-upload"' in html
    assert "site_map.js" in html
    viewer = f.staff(world.a, "gov_viewer", "gov")
    html = browser(viewer).get(map_url(world)).content.decode()
    assert "data-site-map" in html and "data-save-url" not in html and "plan-upload" not in html


def test_the_map_is_in_the_console_navigation(world, browser):
    html = browser(world.staff).get(map_url(world)).content.decode()
    assert f'href="{map_url(world)}" aria-current="page"' in html


def test_a_building_panel_lists_houses_by_state_and_links_households_for_people_view(world, browser):
    empty = f.house(f.unit(world.building, "2单元"), "101", floor=1)
    r = browser(world.staff).get(panel_url(world, world.building.id), HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    html = r.content.decode()
    # 301 let to a tenant, 302 lived in by its owner, 2单元101 empty: 在住 is both of the first two.
    assert "在住 2" in html and "出租 1" in html and "空置 1" in html
    assert html.count("house-state-self_occupied") == 1 and 'title="自住"' in html
    house_link = reverse("registry:house", args=[world.a.id, world.house.id])
    assert f'href="{house_link}"' in html
    assert f'href="{reverse("registry:house", args=[world.a.id, empty.id])}"' in html
    for name in ("王建国", "李小梅", "赵邻居", "13800000001"):
        assert name not in html
    assert "<html" not in html  # the panel alone, for the page's script


def test_a_reader_without_people_view_gets_no_household_links(world, browser):
    viewer = f.staff(world.a, "gov_viewer", "gov")
    html = browser(viewer).get(panel_url(world, world.building.id)).content.decode()
    assert "出租 1" in html and "<html" in html  # the panel's own page without the script
    assert reverse("registry:house", args=[world.a.id, world.house.id]) not in html


def test_the_outsider_and_narrowed_staff_get_404(world, browser):
    narrowed = build_narrowed(world)
    for who in (world.outsider, narrowed.front_desk, narrowed.technician):
        client = browser(who)
        assert client.get(map_url(world)).status_code == 404
        assert client.get(panel_url(world, narrowed.other_building.id)).status_code == 404
        assert client.post(reverse("dashboards:site_map_plan", args=[world.a.id])).status_code == 404
    assert browser(world.staff).get(panel_url(world, world.house_b.building_id)).status_code == 404


def test_the_plan_upload_form_stores_an_image_and_shows_a_refusal_beside_it(world, browser):
    client = browser(world.staff)
    target = reverse("dashboards:site_map_plan", args=[world.a.id])
    r = client.post(target, {"file": SimpleUploadedFile("plan.txt", b"not an image")})
    assert r.status_code == 422
    assert "平面图须为 PNG、JPEG 或 WebP 图片" in r.content.decode()
    assert not SitePlan.objects.exists()
    out = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(out, "JPEG")
    r = client.post(target, {"file": SimpleUploadedFile("plan.jpg", out.getvalue())})
    assert r.status_code == 302 and r["Location"] == map_url(world)
    plan = SitePlan.objects.get()
    assert (plan.width, plan.height, plan.image_type) == (300, 200, "image/jpeg")


def test_the_street_map_shows_the_communities_one_reads(world, browser):
    world.a.street = "和平街道"
    world.a.save()
    do_set_street_pin(actor=world.staff, community_id=world.a.id, x=0.3, y=0.6)
    r = browser(world.staff).get(reverse("dashboards:street_map"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "幸福里小区" in html and "和平苑" not in html and "data-save-url" in html
    assert browser(world.owner).get(reverse("dashboards:street_map")).status_code in (302, 404)
    html = browser(world.operator).get(reverse("dashboards:street_map")).content.decode()
    assert "幸福里小区" in html and "和平苑" in html  # every community the operator reads


def test_the_partial_for_the_big_screen_draws_the_public_layer_read_only(world):
    do_set_pin(
        actor=world.staff, community_id=world.a.id, kind="building", object_id=world.building.id, x=0.4, y=0.5
    )
    html = render_to_string(
        "dashboards/_site_map.html",
        {
            "map_json": map_data.as_json(map_data.public_map(world.a.id)),
            "image_url": "",
            "src": "/screen/x/map",
            "dark": True,
        },
    )
    assert "data-site-map" in html and "site-map-dark" in html and 'data-refresh="30"' in html
    assert "1号楼" in html and "data-save-url" not in html
    assert "王建国" not in html
