"""ACC-3 / REG-3: grants follow the registry without anyone acting; households manage theirs."""

from datetime import timedelta

from django.utils import timezone

from linli.access import services
from linli.access.models import Credential, FaceConsent, Grant
from linli.access.tests.conftest import local
from linli.core.models import Membership

FACE = "AAAA" * 170 + "AAAA"  # base64 of 512 zero bytes: a stand-in embedding for lifecycle tests


def card(world, person, number):
    return services.do_issue_card(actor=world.front_desk, person=person, number=number)


def decide(api, site, terminal="door", **body):
    r = api(token=site.token(terminal)).post("/access/decide", body)
    assert r.status_code == 200, r.content
    return r.json()


def test_it_derives_grants_from_ownership_and_lease(world, site):
    sources = dict(
        Grant.objects.filter(house=world.house, revoked_at__isnull=True).values_list("person_id", "source")
    )
    assert sources == {world.owner_person.id: "ownership", world.tenant_person.id: "lease"}
    lease_grant = Grant.objects.get(person=world.tenant_person)
    last_day = world.lease.valid_to
    assert timezone.localtime(lease_grant.valid_until).date() == last_day + timedelta(days=1)
    assert timezone.localtime(lease_grant.valid_until).hour == 0


def test_it_refuses_the_tenant_the_day_after_the_lease_ends_without_any_job(world, site, api, clock):
    card(world, world.tenant_person, "7E7E0001")
    assert decide(api, site, method="card", card="7E7E0001")["allow"] is True
    last_day = world.lease.valid_to  # tomorrow
    clock.set(local(last_day.year, last_day.month, last_day.day, 23, 59))
    assert decide(api, site, method="card", card="7E7E0001")["allow"] is True
    day_after = last_day + timedelta(days=1)
    clock.set(local(day_after.year, day_after.month, day_after.day, 0, 0))
    refused = decide(api, site, method="card", card="7E7E0001")
    assert (refused["allow"], refused["reason"]) == (False, "grant_expired")
    # no longer a resident: the door is not theirs to address at all
    assert api(world.tenant).post("/access/me/open", {"point": site.door.id}).status_code == 404


def test_it_revokes_at_once_when_the_landlord_ends_the_lease_early(world, site, api):
    card(world, world.tenant_person, "7E7E0002")
    r = api(world.owner).post(f"/occupancies/{world.lease.id}/end", {"reason": "lease_ended_early"})
    assert r.status_code == 200, r.content
    refused = decide(api, site, method="card", card="7E7E0002")  # no consumer has run
    assert (refused["allow"], refused["reason"]) == (False, "source_ended")
    services.consume_registry_changes()
    assert Grant.objects.get(person=world.tenant_person).revoked_at is not None


def test_it_grants_a_new_tenant_once_the_registry_change_is_consumed(world, site, api):
    r = api(world.owner).post(
        f"/houses/{world.neighbour_house.id}/residents",
        {
            "name": "孙新租",
            "relation": "tenant",
            "valid_from": str(timezone.localdate()),
            "valid_to": str(timezone.localdate() + timedelta(days=365)),
            "phone": "13900000009",
        },
    )
    # the owner does not own 302, so the registry refuses; staff register instead
    assert r.status_code in (403, 404)
    r = api(world.staff).post(
        f"/houses/{world.neighbour_house.id}/residents",
        {
            "name": "孙新租",
            "relation": "tenant",
            "valid_from": str(timezone.localdate()),
            "valid_to": str(timezone.localdate() + timedelta(days=365)),
            "phone": "13900000009",
        },
    )
    assert r.status_code == 201, r.content
    assert services.consume_registry_changes() == 1
    person_id = Grant.objects.get(house=world.neighbour_house, source="lease").person_id
    assert services.consume_registry_changes() == 0  # nothing new: idempotent cursor
    assert Grant.objects.filter(person_id=person_id, revoked_at__isnull=True).count() == 1


def test_it_deletes_the_face_at_move_out(world, site, api):
    services.do_enrol_face(
        actor=world.owner,
        person=world.owner_person,
        embedding_b64=FACE,
        consent_by="王建国",
        consent_method="app",
    )
    occupancy = world.owner_person.occupancies.get()
    r = api(world.staff).post(f"/occupancies/{occupancy.id}/end", {"reason": "sold"})
    assert r.status_code == 200, r.content
    services.consume_registry_changes()
    assert not Credential.objects.filter(person=world.owner_person, kind="face").exists()
    assert FaceConsent.objects.get(person=world.owner_person).withdrawn_at is not None


def test_it_lets_a_household_head_add_a_nanny_on_weekdays(world, site, api, clock):
    schedule = [{"days": [1, 2, 3, 4, 5], "start": "08:00", "end": "18:00"}]
    r = api(world.owner).post(
        f"/access/houses/{world.house.id}/helpers",
        {"name": "刘阿姨", "phone": "13911112222", "label": "保姆", "schedule": schedule},
    )
    assert r.status_code == 201, r.content
    grant = r.json()
    assert grant["source"] == "household" and grant["schedule_text"] == "周一至周五 08:00–18:00"
    pin = (
        api(world.owner)
        .post(f"/access/people/{grant['person_id']}/pins", {"house_id": world.house.id})
        .json()["pin"]
    )
    monday = timezone.localdate() + timedelta(days=(7 - timezone.localdate().weekday()) % 7 or 7)
    clock.set(local(monday.year, monday.month, monday.day, 9, 30))
    assert decide(api, site, method="pin", house=world.house.id, pin=pin)["allow"] is True
    clock.set(local(monday.year, monday.month, monday.day, 18, 5))
    assert decide(api, site, method="pin", house=world.house.id, pin=pin)["reason"] == "outside_schedule"
    saturday = monday + timedelta(days=5)
    clock.set(local(saturday.year, saturday.month, saturday.day, 10, 0))
    assert decide(api, site, method="pin", house=world.house.id, pin=pin)["reason"] == "outside_schedule"


def test_it_shows_the_household_its_grants_and_lets_the_head_revoke_a_helper(world, site, api):
    helper = (
        api(world.owner)
        .post(
            f"/access/houses/{world.house.id}/helpers",
            {"name": "钟点工小周", "phone": "13911113333", "label": "钟点工"},
        )
        .json()
    )
    listed = api(world.owner).get(f"/access/houses/{world.house.id}/grants").json()
    assert {g["source"] for g in listed} == {"ownership", "lease", "household"}
    assert api(world.neighbour).get(f"/access/houses/{world.house.id}/grants").status_code == 404
    assert api(world.outsider).get(f"/access/houses/{world.house.id}/grants").status_code == 404
    assert api(world.neighbour).post(f"/access/grants/{helper['id']}/revoke", {}).status_code == 404
    owner_grant = next(g for g in listed if g["source"] == "ownership")
    r = api(world.owner).post(f"/access/grants/{owner_grant['id']}/revoke", {})
    assert r.status_code == 409 and r.json()["code"] == "derived_grant"
    assert api(world.owner).post(f"/access/grants/{helper['id']}/revoke", {}).status_code == 200
    remaining = {g["source"] for g in api(world.owner).get(f"/access/houses/{world.house.id}/grants").json()}
    assert remaining == {"ownership", "lease"}


def test_it_caps_a_tenants_helper_at_the_lease_and_ends_it_with_the_tenant(world, site, api):
    r = api(world.tenant).post(
        f"/access/houses/{world.house.id}/helpers",
        {"name": "护工老马", "phone": "13911114444", "label": "护工"},
    )
    assert r.status_code == 201, r.content
    grant = Grant.objects.get(pk=r.json()["id"])
    assert grant.valid_until == Grant.objects.get(person=world.tenant_person).valid_until
    api(world.owner).post(f"/occupancies/{world.lease.id}/end", {"reason": "lease_ended_early"})
    services.consume_registry_changes()
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoke_reason == "giver_moved_out"


def test_it_refuses_helpers_from_people_who_are_not_heads(world, site, api):
    body = {"name": "某人", "phone": "13911115555", "label": "保姆"}
    assert api(world.neighbour).post(f"/access/houses/{world.house.id}/helpers", body).status_code == 404
    assert api(world.outsider).post(f"/access/houses/{world.house.id}/helpers", body).status_code == 404
    bad = {**body, "schedule": [{"days": [8], "start": "08:00", "end": "18:00"}]}
    r = api(world.owner).post(f"/access/houses/{world.house.id}/helpers", bad)
    assert r.status_code == 400 and r.json()["code"] == "invalid_schedule"


def test_it_gives_staff_every_point_while_their_role_lasts(world, site, api):
    from linli.testing import factories as f

    guard = f.staff(world.a, "security", "guard")
    person = f.person(world.a, "保安老李", login=guard)
    services.consume_registry_changes()
    card(world, person, "5EC00001")
    assert decide(api, site, "other_door", method="card", card="5EC00001")["allow"] is True
    membership = Membership.objects.get(user=guard)
    assert api(world.admin).delete(f"/memberships/{membership.id}").status_code == 204
    refused = decide(api, site, "other_door", method="card", card="5EC00001")
    assert (refused["allow"], refused["reason"]) == (False, "source_ended")


def test_it_lets_staff_grant_a_zone_for_a_week_and_hides_it_from_outsiders(world, site, api):
    from linli.access.models import Zone

    zone = Zone.objects.get(kind="all_points", community=world.a)
    person = world.neighbour.people.get()
    until = timezone.now() + timedelta(days=7)
    r = api(world.staff).post(
        f"/access/people/{person.id}/grants",
        {"zone_id": zone.id, "valid_until": until.isoformat(), "label": "装修"},
    )
    assert r.status_code == 201, r.content
    assert (
        api(world.outsider).post(f"/access/people/{person.id}/grants", {"zone_id": zone.id}).status_code
        == 404
    )
    assert (
        api(world.technician).post(f"/access/people/{person.id}/grants", {"zone_id": zone.id}).status_code
        == 404
    )
    listed = (
        api(world.staff).get(f"/communities/{world.a.id}/access/grants", {"source": "manual"}).json()["items"]
    )
    assert [g["label"] for g in listed] == ["装修"]


def test_it_lists_grants_in_constant_queries(world, site, api, django_assert_max_num_queries):
    from linli.testing import factories as f

    unit = world.house.unit
    for n in range(10):
        house = f.house(unit, f"5{n:02d}", floor=5)
        f.occupy(house, f.person(world.a, f"住户{n}"), "owner")
    services.consume_registry_changes()
    client = api(world.staff)
    with django_assert_max_num_queries(8):
        r = client.get(f"/communities/{world.a.id}/access/grants", {"limit": 50})
    assert len(r.json()["items"]) >= 12
