"""REG-2/REG-3: owners, tenants, families; a tenant's rights end with the lease by themselves."""

from datetime import timedelta

from django.utils import timezone

from linli.core.restrict import scope_of
from linli.registry.models import Occupancy


def _today():
    return timezone.localdate()


def _resident(**overrides):
    data = {
        "name": "周租客",
        "id_number": "110105199203041237",
        "phone": "13700000011",
        "relation": "tenant",
        "valid_from": str(_today()),
        "valid_to": str(_today() + timedelta(days=365)),
        "hukou_local": False,
    }
    return {**data, **overrides}


def test_it_lets_the_landlord_register_a_tenant_with_lease_dates(world, api):
    world.lease.delete()
    r = api(world.owner).post(f"/houses/{world.house.id}/residents", _resident())
    assert r.status_code == 201, r.content
    occ = Occupancy.objects.get(pk=r.json()["id"])
    assert occ.relation == "tenant" and occ.registered_by == world.owner
    assert occ.valid_to == _today() + timedelta(days=365)


def test_it_refuses_a_lease_that_ends_before_it_starts_and_writes_nothing(world, api):
    before = Occupancy.objects.count()
    r = api(world.owner).post(
        f"/houses/{world.house.id}/residents", _resident(valid_to=str(_today() - timedelta(days=1)))
    )
    assert r.status_code == 400
    assert r.json()["code"] == "lease_ends_before_start"
    assert "valid_to" in r.json()["fields"]
    assert Occupancy.objects.count() == before


def test_it_requires_a_lease_end_for_a_tenant(world, api):
    r = api(world.owner).post(f"/houses/{world.house.id}/residents", _resident(valid_to=None))
    assert r.status_code == 400
    assert r.json()["code"] == "lease_end_required"


def test_it_refuses_a_second_sole_owner(world, api):
    r = api(world.staff).post(
        f"/houses/{world.house.id}/residents",
        _resident(relation="owner", valid_to=None, id_number="110105198001011238"),
    )
    assert r.status_code == 409
    assert r.json()["code"] == "house_has_owner"
    r = api(world.staff).post(
        f"/houses/{world.house.id}/residents",
        _resident(relation="co_owner", valid_to=None, id_number="110105198001011238"),
    )
    assert r.status_code == 201


def test_it_refuses_a_duplicate_id_number(world, api):
    person = {"name": "甲", "id_number": "110105199203041237"}
    assert api(world.staff).post(f"/communities/{world.a.id}/people", person).status_code == 201
    r = api(world.staff).post(f"/communities/{world.a.id}/people", {**person, "name": "乙"})
    assert r.status_code == 409
    assert r.json()["code"] == "duplicate_id_number"


def test_it_refuses_a_bad_id_number_checksum(world, api):
    r = api(world.staff).post(
        f"/communities/{world.a.id}/people", {"name": "丙", "id_number": "110105199203041236"}
    )
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_id_number"
    assert r.json()["message"] == "身份证号格式不正确"


def test_it_ends_a_tenants_rights_at_lease_end_without_anyone_acting(world, monkeypatch):
    lease_end = world.lease.valid_to
    assert world.lease.is_active(lease_end)
    assert not world.lease.is_active(lease_end + timedelta(days=1))
    day_after = timezone.now() + timedelta(days=2)
    monkeypatch.setattr(timezone, "now", lambda: day_after)
    world.tenant.__dict__.pop("_linli_scope", None)
    assert world.house.id not in scope_of(world.tenant).house_ids


def test_it_hides_the_house_from_the_tenant_the_day_after_the_lease(world, api, monkeypatch):
    assert api(world.tenant).get(f"/houses/{world.house.id}").status_code == 200
    later = timezone.now() + timedelta(days=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert api(world.tenant).get(f"/houses/{world.house.id}").status_code == 404


def test_it_lets_the_landlord_end_the_lease_early_and_the_family_goes_with_it(world, api):
    child = api(world.tenant).post(
        f"/houses/{world.house.id}/residents",
        {"name": "周小宝", "relation": "family", "valid_from": str(_today())},
    )
    assert child.status_code == 201, child.content
    assert child.json()["valid_to"] == str(world.lease.valid_to)  # bound to the lease
    r = api(world.owner).post(f"/occupancies/{world.lease.id}/end", {"reason": "lease_ended_early"})
    assert r.status_code == 200, r.content
    assert r.json()["active"] is False
    family = Occupancy.objects.get(pk=child.json()["id"])
    assert family.ended_at is not None and family.end_reason == "sponsor_ended"
    assert api(world.tenant).get(f"/houses/{world.house.id}").status_code == 404
    again = api(world.owner).post(f"/occupancies/{world.lease.id}/end", {"reason": "lease_ended_early"})
    assert again.json()["code"] == "already_ended"


def test_it_refuses_a_tenant_ending_the_landlords_ownership(world, api):
    owner_occ = Occupancy.objects.get(house=world.house, relation="owner")
    r = api(world.tenant).post(f"/occupancies/{owner_occ.id}/end", {"reason": "moved_out"})
    assert r.status_code == 403


def test_it_refuses_a_neighbour_and_an_outsider_registering_residents(world, api):
    for user in (world.neighbour, world.outsider):
        r = api(user).post(f"/houses/{world.house.id}/residents", _resident())
        assert r.status_code == 404
    r = api(world.outsider).post(f"/occupancies/{world.lease.id}/end", {"reason": "moved_out"})
    assert r.status_code == 404


def test_it_lets_the_counter_register_on_behalf_of_a_resident(world, api):
    world.lease.delete()
    r = api(world.front_desk).post(f"/houses/{world.house.id}/residents", _resident())
    assert r.status_code == 201
    assert Occupancy.objects.get(pk=r.json()["id"]).registered_by == world.front_desk


def test_it_lets_only_the_household_or_staff_register_a_helper_for_a_house(world):
    import pytest

    from linli.core.errors import Forbidden
    from linli.registry.services import do_register_person_for_house

    helper = do_register_person_for_house(
        actor=world.owner, house=world.house, name="刘阿姨", phone="13911112222"
    )
    again = do_register_person_for_house(
        actor=world.staff, house=world.house, name="刘阿姨", phone="13911112222"
    )
    assert again.pk == helper.pk  # found by phone, not registered twice
    with pytest.raises(Forbidden):
        do_register_person_for_house(
            actor=world.neighbour, house=world.house, name="陌生人", phone="13911113333"
        )
