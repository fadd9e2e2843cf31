"""ACC-9: plate events at the barriers."""

from datetime import timedelta

from django.utils import timezone

from linli.access.models import ParkingRecord, VisitorPass


def plate(api, site, number, terminal="barrier"):
    r = api(token=site.token(terminal)).post("/access/plate-events", {"plate": number})
    assert r.status_code == 200, r.content
    return r.json()


def register_car(api, world, person, number):
    r = api(world.staff).post(f"/people/{person.id}/vehicles", {"plate": number, "house_id": world.house.id})
    assert r.status_code == 201, r.content


def test_it_opens_for_a_residents_registered_vehicle(world, site, api):
    register_car(api, world, world.owner_person, "京A12345")
    body = plate(api, site, "京A 12345")
    assert (body["allow"], body["reason"]) == (True, "resident_vehicle")
    assert body["detail"]["plate"] == "京A***45"
    assert not ParkingRecord.objects.exists()


def test_it_lets_a_visitor_car_in_by_a_pass_naming_the_plate(world, site, api):
    r = api(world.owner).post(
        f"/access/houses/{world.house.id}/passes",
        {"visitor_name": "老同学", "plate": "沪B54321", "max_uses": 2},
    )
    body = plate(api, site, "沪B54321")
    assert (body["allow"], body["reason"], body["pass_id"]) == (True, "visitor_pass", r.json()["id"])
    assert VisitorPass.objects.get().uses == 1
    record = ParkingRecord.objects.get()
    assert record.visitor_pass_id == r.json()["id"]


def test_it_gives_an_unknown_car_a_temporary_parking_record_closed_at_exit(world, site, api, clock):
    start = clock.set(timezone.now())
    entry = plate(api, site, "粤C88888")
    assert (entry["allow"], entry["reason"]) == (True, "temporary_parking")
    clock.set(start + timedelta(minutes=95))
    leave = plate(api, site, "粤C88888", "barrier_out")
    assert leave["detail"]["minutes"] == 95
    record = ParkingRecord.objects.get()
    assert record.exited_at is not None and record.exit_point_id == site.barrier_out.id
    listed = api(world.staff).get(f"/communities/{world.a.id}/access/parking").json()["items"]
    assert listed[0]["plate"] == "粤C***88"
    assert api(world.outsider).get(f"/communities/{world.a.id}/access/parking").status_code == 404


def test_it_treats_a_former_tenants_car_as_a_visitor(world, site, api):
    register_car(api, world, world.tenant_person, "京B11111")
    assert plate(api, site, "京B11111")["reason"] == "resident_vehicle"
    api(world.owner).post(f"/occupancies/{world.lease.id}/end", {"reason": "lease_ended_early"})
    assert plate(api, site, "京B11111")["reason"] == "temporary_parking"


def test_it_refuses_unreadable_plates_and_closed_barriers(world, site, api):
    assert plate(api, site, "????")["reason"] == "plate_invalid"
    api(world.admin).patch(f"/access/points/{site.barrier.id}", {"allow_temporary_parking": False})
    assert plate(api, site, "粤C66666")["reason"] == "no_temporary_parking"
    r = api(token=site.token("door")).post("/access/plate-events", {"plate": "粤C66666"})
    assert r.status_code == 400 and r.json()["code"] == "not_a_barrier"
