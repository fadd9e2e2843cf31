from linli.core.models import AuditEntry


def test_it_shows_a_house_with_its_household_to_staff(world, api):
    r = api(world.staff).get(f"/houses/{world.house.id}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["label"] == "1号楼-1单元-301"
    assert {o["relation"] for o in body["household"]} == {"owner", "tenant"}
    assert all("****" in p["phone"] for p in body["residents"])
    assert r["ETag"]


def test_it_hides_other_communities_houses_as_404(world, api):
    r = api(world.outsider).get(f"/houses/{world.house.id}")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"


def test_it_lets_a_resident_see_only_their_own_house(world, api):
    assert api(world.owner).get(f"/houses/{world.house.id}").status_code == 200
    assert api(world.owner).get(f"/houses/{world.neighbour_house.id}").status_code == 404
    listed = api(world.owner).get("/houses").json()["items"]
    assert [h["id"] for h in listed] == [world.house.id]


def test_it_creates_a_house_with_exact_area_and_audits_it(world, api):
    unit = world.house.unit
    r = api(world.staff).post(f"/units/{unit.id}/houses", {"number": "401", "floor": 4, "area": "101.35"})
    assert r.status_code == 201, r.content
    assert r.json()["area"] == "101.35"
    entry = AuditEntry.objects.filter(object_type="registry.house", object_id=str(r.json()["id"])).get()
    assert entry.after["area"] == "101.35"


def test_it_refuses_a_technician_creating_a_house(world, api):
    unit = world.house.unit
    r = api(world.technician).post(f"/units/{unit.id}/houses", {"number": "401", "floor": 4, "area": "10"})
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"


def test_it_refuses_a_stale_etag(world, api):
    client = api(world.staff)
    etag = client.get(f"/houses/{world.house.id}")["ETag"]
    assert client.patch(f"/houses/{world.house.id}", {"area": "90.00"}, HTTP_IF_MATCH=etag).status_code == 200
    r = client.patch(f"/houses/{world.house.id}", {"area": "91.00"}, HTTP_IF_MATCH=etag)
    assert r.status_code == 412
    assert r.json()["code"] == "stale_object"


def test_it_refuses_areas_that_are_not_finite_positive_numbers(world):
    import pytest

    from linli.core.errors import ServiceError
    from linli.registry.services import clean_area

    for bad in ("NaN", "Infinity", "-1", "0", "abc", ""):
        with pytest.raises(ServiceError) as info:
            clean_area(bad)
        assert info.value.code == "invalid_area"
    assert str(clean_area("89.5")) == "89.50"
