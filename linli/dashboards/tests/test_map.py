"""The site map through its API: placing and moving pins (audited), refusing bad pins and bad
plans with their codes and nothing written, colouring buildings against hand-made alarms and
work orders, the public layer free of personal data, and who may read or arrange it."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from linli.core.models import AuditEntry
from linli.dashboards import map_data
from linli.dashboards.map_demo import seed_map_demo
from linli.dashboards.models import MapPin, SitePlan, StreetPin
from linli.testing import access, iot, workorders
from linli.testing import factories as f
from linli.testing.personas import build_narrowed
from linli.workorders.models import Request

pytestmark = pytest.mark.django_db


def url(world, tail: str = "") -> str:
    return f"/dashboards/communities/{world.a.id}/map{tail}"


def pin(kind: str, object_id: int, x: float, y: float) -> dict:
    return {"kind": kind, "object_id": object_id, "x": x, "y": y}


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 230, 210)).save(out, "PNG")
    return out.getvalue()


def upload(client: Client, world, data: bytes, name: str = "plan.png"):
    return client.post(f"/api/v1{url(world, '/plan')}", {"file": SimpleUploadedFile(name, data)})


@pytest.fixture
def manager(world):
    client = Client()
    client.force_login(world.staff)
    return client


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.VAR_DIR = tmp_path


# --- placing and moving ---------------------------------------------------------------------------


def test_it_places_a_building_then_moves_it_and_audits_the_move(world, api):
    client = api(world.staff)
    r = client.put(url(world, "/pins"), pin("building", world.building.id, 0.25, 0.4))
    assert r.status_code == 200, r.json()
    assert r.json() == pin("building", world.building.id, 0.25, 0.4)
    r = client.put(url(world, "/pins"), pin("building", world.building.id, 0.7, 0.1))
    assert r.status_code == 200
    stored = MapPin.objects.get(community=world.a, kind="building", object_id=world.building.id)
    assert (stored.x, stored.y) == (0.7, 0.1)
    assert MapPin.objects.count() == 1
    moved = AuditEntry.objects.get(action="dashboards.pin_moved")
    assert moved.before == {"kind": "building", "object_id": world.building.id, "x": 0.25, "y": 0.4}
    assert moved.after["x"] == 0.7 and moved.actor_id == world.staff.id
    assert AuditEntry.objects.filter(action="dashboards.pin_placed").count() == 1

    found = client.get(url(world)).json()
    placed = {b["id"]: (b["x"], b["y"]) for b in found["buildings"]}
    assert placed[world.building.id] == (0.7, 0.1)
    assert found["editable"] is True


def test_it_places_gates_and_devices_and_lists_what_is_not_placed(world, api):
    site = access.install(world)
    devices = iot.site(world)
    client = api(world.staff)
    assert client.put(url(world, "/pins"), pin("access_point", site.gate.id, 0.5, 0.95)).status_code == 200
    assert client.put(url(world, "/pins"), pin("device", devices.camera.id, 0.1, 0.9)).status_code == 200
    found = client.get(url(world)).json()
    points = {p["name"]: (p["x"], p["y"]) for p in found["points"]}
    assert points["东门"] == (0.5, 0.95)
    assert points["车库入口"] == (None, None)  # a gate not placed yet: listed to drag onto the plan
    devices_found = {d["id"]: d for d in found["devices"]}
    assert (devices_found[devices.camera.id]["x"], devices_found[devices.camera.id]["y"]) == (0.1, 0.9)
    assert devices.smoke.id not in devices_found  # detectors in the flats are not placed one by one
    assert devices.fan.id in devices_found


# --- refusals -------------------------------------------------------------------------------------


def test_it_refuses_a_building_of_another_community_and_writes_nothing(world, api):
    client = api(world.staff)
    other = world.house_b.building_id
    r = client.put(url(world, "/pins"), pin("building", other, 0.5, 0.5))
    assert r.status_code == 400
    assert r.json()["code"] == "pin_object_not_found"
    assert r.json()["message"] == "该小区没有这个楼栋"
    assert not MapPin.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="dashboards.").exists()


def test_it_refuses_a_device_of_another_community(world, api):
    iot.site(world)
    other_device = iot.site_in(world, world.building, "x").camera
    other_device.__class__.objects.filter(pk=other_device.pk).update(community=world.b)
    r = api(world.staff).put(url(world, "/pins"), pin("device", other_device.id, 0.5, 0.5))
    assert (r.status_code, r.json()["code"]) == (400, "pin_object_not_found")


@pytest.mark.parametrize("x, y", [(1.2, 0.5), (0.5, -0.01), (2, 2)])
def test_it_refuses_a_place_off_the_plan(world, api, x, y):
    r = api(world.staff).put(url(world, "/pins"), pin("building", world.building.id, x, y))
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_input"
    assert set(r.json()["fields"]) <= {"x", "y"} and r.json()["fields"]
    assert not MapPin.objects.exists()


def test_the_service_refuses_a_place_off_the_plan_with_its_own_code(world):
    from linli.core.errors import ServiceError
    from linli.dashboards.services.maps import do_set_pin

    with pytest.raises(ServiceError) as refused:
        do_set_pin(
            actor=world.staff, community_id=world.a.id, kind="building", object_id=world.building.id,
            x=float("nan"), y=0.5,
        )  # fmt: skip
    assert refused.value.code == "pin_outside_plan" and "x" in refused.value.fields


def test_it_refuses_a_plan_that_is_not_an_image_or_too_large(world, manager):
    r = upload(manager, world, b"<svg onload=alert(1)></svg>", "plan.svg")
    assert (r.status_code, r.json()["code"]) == (400, "plan_not_image")
    assert r.json()["message"] == "平面图须为 PNG、JPEG 或 WebP 图片"
    big = b"\x89PNG" + b"0" * (8 * 1024 * 1024 + 1)
    r = upload(manager, world, big)
    assert (r.status_code, r.json()["code"]) == (400, "plan_too_large")
    assert not SitePlan.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="dashboards.").exists()


def test_it_stores_a_plan_image_re_encoded_and_serves_it_to_readers_only(
    world, manager, api, django_capture_on_commit_callbacks
):
    r = upload(manager, world, png(400, 300))
    assert r.status_code == 200, r.json()
    assert r.json() == {"width": 400, "height": 300, "outline": [], "image": True}
    image_url = api(world.staff).get(url(world)).json()["image_url"]
    served = manager.get(image_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(served.content)).size == (400, 300)
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(image_url).status_code == 404
    # A new plan replaces the old one's file.
    first = SitePlan.objects.get().image_path
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(manager, world, png(500, 250)).status_code == 200
    assert SitePlan.objects.get().image_path != first
    assert not (world_media(first)).exists()


def world_media(name: str):
    from linli.dashboards.map_files import media_root

    return media_root() / name


def test_it_draws_an_outline_and_refuses_one_of_two_points(world, api):
    client = api(world.staff)
    square = [[0.1, 0.1], [0.9, 0.1], [0.9, 0.9], [0.1, 0.9]]
    r = client.put(url(world, "/outline"), {"points": square, "width": 1200, "height": 800})
    assert r.status_code == 200 and r.json()["outline"] == square
    assert client.get(url(world)).json()["plan"] == {
        "width": 1200,
        "height": 800,
        "outline": square,
        "image": False,
    }
    r = client.put(url(world, "/outline"), {"points": [[0.1, 0.1], [0.2, 0.2]]})
    assert (r.status_code, r.json()["code"]) == (400, "invalid_outline")
    assert SitePlan.objects.get().outline == square


# --- colours --------------------------------------------------------------------------------------


def test_it_colours_buildings_by_active_alarms_and_open_and_overdue_work_orders(world, api):
    calm = f.building(world.a, "3号楼")
    busy = f.building(world.a, "5号楼")
    f.house(f.unit(busy), "101", floor=1)
    crew = workorders.crew(world)
    devices = iot.site(world)  # in 1号楼
    client = api(world.staff)
    for b in (world.building, calm, busy):
        assert client.put(url(world, "/pins"), pin("building", b.id, 0.5, 0.5)).status_code == 200

    def tones():
        return {b["name"]: b["tone"] for b in client.get(url(world)).json()["buildings"]}

    assert tones() == {"1号楼": "green", "3号楼": "green", "5号楼": "green"}
    iot.raise_co(devices.co)  # critical, in 1号楼
    request = workorders.report(world, crew)  # the owner's flat is in 1号楼
    moved = Request.objects.filter(pk=request.pk)
    moved.update(building=busy, house=None)  # an open work order in 5号楼, not overdue
    assert tones() == {"1号楼": "red", "3号楼": "green", "5号楼": "amber"}
    moved.update(resolution_overdue=True)
    found = {b["name"]: b for b in client.get(url(world)).json()["buildings"]}
    assert found["5号楼"]["tone"] == "red"
    assert found["5号楼"]["requests"] == {"open": 1, "overdue": 1}
    assert found["1号楼"]["alarms"] == {"critical": 1}


def test_the_tone_rule():
    assert map_data.tone({}) == "green"
    assert map_data.tone({"warning": 2}) == "amber"
    assert map_data.tone({"minor": 1}, open_requests=0) == "amber"
    assert map_data.tone({}, open_requests=3) == "amber"
    assert map_data.tone({"major": 1}) == "red"
    assert map_data.tone({}, open_requests=1, overdue=1) == "red"


def test_it_counts_houses_by_state(world, api):
    f.house(f.unit(world.building, "2单元"), "101", floor=1)  # nobody lives there
    client = api(world.staff)
    client.put(url(world, "/pins"), pin("building", world.building.id, 0.5, 0.5))
    houses = client.get(url(world)).json()["buildings"][0]["houses"]
    # 301: the owner lets it to a tenant; 302: the neighbour lives there; 2单元101: empty.
    assert houses == {"houses": 3, "occupied": 2, "rented": 1, "vacant": 1}


# --- the public layer -----------------------------------------------------------------------------

PERSONAL = (
    re.compile(r"1[3-9]\d{9}"),  # a mobile number
    re.compile(r"\d{17}[\dXx]"),  # an ID number
    re.compile(
        r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][A-Z0-9]{5,6}"
    ),  # a plate
)


def test_the_public_layer_has_no_personal_data(world, api):
    site = access.install(world)
    devices = iot.site(world)
    iot.raise_co(devices.co)
    client = api(world.staff)
    for kind, object_id in (
        ("building", world.building.id),
        ("access_point", site.gate.id),
        ("device", devices.camera.id),
    ):
        client.put(url(world, "/pins"), pin(kind, object_id, 0.3, 0.3))
    text = map_data.as_json(map_data.public_map(world.a.id))
    public = map_data.public_map(world.a.id)
    assert [b["name"] for b in public["buildings"]] == ["1号楼"]
    assert [p["name"] for p in public["points"]] == ["东门"]  # placed ones only
    for name in ("王建国", "李小梅", "赵邻居", "王业主", "李租客", "301", "302"):
        assert name not in text
    for pattern in PERSONAL:
        assert not pattern.search(text), pattern.pattern
    assert public["buildings"][0]["houses"] == {"houses": 2, "occupied": 2, "rented": 1, "vacant": 0}


# --- who may ----------------------------------------------------------------------------------


def test_the_outsider_and_narrowed_staff_are_refused(world, api):
    narrowed = build_narrowed(world)
    for who in (world.outsider, narrowed.front_desk, narrowed.technician, world.owner):
        client = api(who)
        assert client.get(url(world)).status_code == 404
        r = client.put(url(world, "/pins"), pin("building", world.building.id, 0.5, 0.5))
        assert r.status_code == 404
        assert (
            client.put(f"/dashboards/communities/{world.a.id}/street-pin", {"x": 0.5, "y": 0.5}).status_code
            == 404
        )
    assert not MapPin.objects.exists() and not StreetPin.objects.exists()


def test_a_reader_without_screen_manage_sees_the_map_but_cannot_arrange_it(world, api):
    viewer = f.staff(world.a, "gov_viewer", "gov")
    client = api(viewer)
    found = client.get(url(world))
    assert found.status_code == 200 and found.json()["editable"] is False
    r = client.put(url(world, "/pins"), pin("building", world.building.id, 0.5, 0.5))
    assert r.status_code == 403
    assert not MapPin.objects.exists()


def test_it_places_a_community_on_the_street_map(world, api):
    client = api(world.staff)
    assert (
        client.put(f"/dashboards/communities/{world.a.id}/street-pin", {"x": 0.2, "y": 0.3}).status_code
        == 200
    )
    r = client.put(f"/dashboards/communities/{world.a.id}/street-pin", {"x": 0.6, "y": 0.3})
    assert r.json() == {"community_id": world.a.id, "x": 0.6, "y": 0.3}
    assert AuditEntry.objects.get(action="dashboards.street_pin_moved").before == {"x": 0.2, "y": 0.3}
    r = client.put(f"/dashboards/communities/{world.b.id}/street-pin", {"x": 0.6, "y": 0.3})
    assert r.status_code == 404


def test_the_demo_finds_room_on_a_street_of_many_communities(world):
    """seed_demo on an installation whose street already holds a dozen communities."""
    for c in [world.a, *(f.community(f"n{i}", f"邻居{i}") for i in range(12))]:
        c.street = "望京街道"
        c.save(update_fields=["street"])
    last = f.community("late", "最后一个")
    last.street = "望京街道"
    last.save(update_fields=["street"])
    f.Membership.objects.create(user=world.admin, community=last, role="community_admin")
    seed_map_demo(last)
    pin = StreetPin.objects.get(community=last)
    assert 0 <= pin.x <= 1 and 0 <= pin.y <= 1
