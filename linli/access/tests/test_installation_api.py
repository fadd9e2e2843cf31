"""ACC-1: points, zones, terminals with their own credentials, signing keys."""

from linli.access.models import AccessPoint, SecurityEvent, Zone
from linli.core.models import AuditEntry


def test_it_creates_a_point_and_puts_it_in_the_automatic_zones(world, site, api):
    r = api(world.admin).post(
        f"/communities/{world.a.id}/access/points",
        {
            "name": "1号楼1单元门",
            "kind": "unit_door",
            "building_id": world.building.id,
            "unit_id": world.house.unit_id,
        },
    )
    assert r.status_code == 201, r.content
    point = AccessPoint.objects.get(pk=r.json()["id"])
    zone = Zone.objects.get(kind="building_residents", building=world.building)
    assert point in zone.points.all()
    assert set(zone.points.values_list("name", flat=True)) >= {
        "东门",
        "车库入口",
        "1号楼大堂门",
        "1号楼1单元门",
    }
    assert "2号楼大堂门" not in set(zone.points.values_list("name", flat=True))
    assert AuditEntry.objects.filter(object_type="access.accesspoint", object_id=str(point.pk)).exists()


def test_it_refuses_a_unit_door_without_its_unit(world, site, api):
    r = api(world.admin).post(
        f"/communities/{world.a.id}/access/points",
        {"name": "无单元门", "kind": "unit_door", "building_id": world.building.id},
    )
    assert r.status_code == 400
    assert r.json()["code"] == "unit_required"


def test_it_refuses_points_to_staff_without_access_admin(world, site, api):
    for user in (world.front_desk, world.technician):
        r = api(user).post(
            f"/communities/{world.a.id}/access/points", {"name": "西门", "kind": "community_gate"}
        )
        assert r.status_code in (403, 404), user
    assert not AccessPoint.objects.filter(name="西门").exists()


def test_it_hides_other_communities_installation_as_404(world, site, api):
    outsider = api(world.outsider)
    assert outsider.get(f"/communities/{world.a.id}/access/points").status_code == 404
    assert outsider.get(f"/communities/{world.a.id}/access/terminals").status_code == 404
    assert outsider.patch(f"/access/points/{site.gate.id}", {"name": "x"}).status_code == 404
    r = outsider.post(f"/access/terminals/{site.terminal('gate').id}/revoke")
    assert r.status_code == 404
    mine = outsider.get(f"/communities/{world.b.id}/access/points").json()
    assert [p["name"] for p in mine] == ["和平苑南门"]


def test_it_lists_points_for_guards_but_not_residents(world, site, api):
    from linli.testing import factories as f

    guard = f.staff(world.a, "security", "guard")
    names = {p["name"] for p in api(guard).get(f"/communities/{world.a.id}/access/points").json()}
    assert "东门" in names
    assert api(world.owner).get(f"/communities/{world.a.id}/access/points").status_code == 404


def test_it_registers_a_terminal_whose_secret_is_shown_once(world, site, api):
    r = api(world.admin).post(
        f"/communities/{world.a.id}/access/terminals", {"point_id": site.door.id, "name": "大堂门二号机"}
    )
    assert r.status_code == 201, r.content
    token = r.json()["token"]
    assert token.startswith("lnt_")
    listed = api(world.admin).get(f"/communities/{world.a.id}/access/terminals").json()
    assert all("token" not in t for t in listed)
    me = api(token=token).get("/terminals/me")
    assert me.status_code == 200 and me.json()["point_id"] == site.door.id


def test_it_rotates_terminal_credentials_and_the_old_secret_stops_working(world, site, api):
    old = site.token("door")
    r = api(world.admin).post(f"/access/terminals/{site.terminal('door').id}/rotate", {})
    assert r.status_code == 200
    assert api(token=old).get("/terminals/me").status_code == 401
    assert api(token=r.json()["token"]).get("/terminals/me").status_code == 200


def test_it_refuses_a_revoked_terminal_and_raises_a_security_event(world, site, api):
    assert api(world.admin).post(f"/access/terminals/{site.terminal('gate').id}/revoke").status_code == 200
    r = api(token=site.token("gate")).post("/access/decide", {"method": "card", "card": "1234ABCD"})
    assert r.status_code == 401
    assert r.json()["code"] == "terminal_revoked"
    assert SecurityEvent.objects.filter(point=site.gate, kind="revoked_terminal", status="open").exists()


def test_it_refuses_terminal_calls_without_credentials_and_user_tokens_on_terminal_paths(world, site, api):
    assert api().post("/access/decide", {"method": "card", "card": "1234"}).status_code == 401
    assert (
        api(token="lnt_forged").post("/access/decide", {"method": "card", "card": "1234"}).status_code == 401
    )
    assert api(world.admin).post("/access/decide", {"method": "card", "card": "1234"}).status_code == 401


def test_it_publishes_a_jwks_with_current_and_previous_keys_after_rotation(world, site, api):
    first = api().get(f"/communities/{world.a.id}/jwks.json").json()["keys"]
    assert len(first) == 1
    assert first[0]["kty"] == "OKP" and first[0]["crv"] == "Ed25519" and first[0]["alg"] == "EdDSA"
    assert api(world.admin).post(f"/communities/{world.a.id}/access/keys/rotate").status_code == 200
    assert api(world.admin).post(f"/communities/{world.a.id}/access/keys/rotate").status_code == 200
    keys = api().get(f"/communities/{world.a.id}/jwks.json").json()["keys"]
    assert len(keys) == 2  # current and previous; the first one retired
    assert first[0]["kid"] not in {k["kid"] for k in keys}
    assert api(world.outsider).post(f"/communities/{world.a.id}/access/keys/rotate").status_code == 404
    assert api().get("/communities/999999/jwks.json").status_code == 404


def test_it_creates_a_custom_zone_and_refuses_to_edit_automatic_ones(world, site, api):
    admin = api(world.admin)
    r = admin.post(
        f"/communities/{world.a.id}/access/zones",
        {"name": "车库", "point_ids": [site.barrier.id, site.barrier_out.id]},
    )
    assert r.status_code == 201, r.content
    assert sorted(r.json()["point_ids"]) == sorted([site.barrier.id, site.barrier_out.id])
    auto = Zone.objects.get(kind="all_points", community=world.a)
    r = admin.patch(f"/access/zones/{auto.id}", {"point_ids": [site.gate.id]})
    assert r.status_code == 409 and r.json()["code"] == "automatic_zone"
    r = admin.post(f"/communities/{world.a.id}/access/zones", {"name": "越界", "point_ids": [site.gate_b.id]})
    assert r.status_code == 404
