"""The community screen embeds the site map without its personal layer: its placed buildings
and their colours, the plan image served to whoever may see that screen (a kiosk token too)."""

import io

import pytest
from django.test import Client
from PIL import Image

from linli.dashboards.services.maps import do_set_pin, do_upload_plan
from linli.dashboards.services.screens import do_issue_screen_token, do_revoke_screen_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def placed(world):
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (20, 40, 60)).save(out, "PNG")
    do_upload_plan(actor=world.staff, community_id=world.a.id, data=out.getvalue())
    do_set_pin(
        actor=world.staff, community_id=world.a.id, kind="building", object_id=world.building.id, x=0.3, y=0.4
    )


def test_the_kiosk_screen_draws_the_site_map_and_its_plan(world, placed):
    _token, raw = do_issue_screen_token(actor=world.admin, community=world.a, label="大厅")
    kiosk = Client()
    page = kiosk.get(f"/screen/{world.a.id}/", {"token": raw}).content.decode()
    assert "data-site-map" in page and f"/screen/{world.a.id}/plan?token={raw}" in page
    found = kiosk.get(f"/screen/{world.a.id}/map", {"token": raw}).json()
    assert [(b["name"], b["x"], b["y"]) for b in found["buildings"]] == [("1号楼", 0.3, 0.4)]
    image = kiosk.get(f"/screen/{world.a.id}/plan", {"token": raw})
    assert image.status_code == 200 and image["Content-Type"] == "image/png"


def test_the_map_and_plan_are_refused_to_a_revoked_token_and_to_other_communities(world, placed):
    token, raw = do_issue_screen_token(actor=world.admin, community=world.a, label="大厅")
    elsewhere = Client().get(f"/screen/{world.b.id}/map", {"token": raw})
    assert elsewhere.status_code == 403 and elsewhere.json()["code"] == "screen_token_wrong_screen"
    do_revoke_screen_token(actor=world.admin, token=token)
    assert Client().get(f"/screen/{world.a.id}/map", {"token": raw}).status_code == 403
    assert Client().get(f"/screen/{world.a.id}/plan", {"token": raw}).status_code == 403
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(f"/screen/{world.a.id}/plan").status_code == 404
    assert Client().get(f"/screen/{world.a.id}/map").status_code == 401


def test_a_street_screen_has_no_site_map(world):
    world.a.street = "香河园街道"
    world.a.save(update_fields=["street"])
    staff = Client()
    staff.force_login(world.staff)
    assert "data-site-map" not in staff.get(f"/screen/street/{world.a.id}/").content.decode()
