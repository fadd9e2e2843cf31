"""The developer's unsold or undelivered houses (`House.developer_held`), marked through the API
and the console's house page by whoever may edit houses, audited; refused to the outsider and
to staff of another building; a vote's roll then counts all of them once together."""

import pytest

from linli.core.models import AuditEntry
from linli.engage.services import votes
from linli.registry.models import House
from linli.testing import factories as f
from linli.testing.personas import build_narrowed
from linli.testing.walk import text_of


def path(house) -> str:
    return f"/houses/{house.id}/developer-held"


def page(world, house) -> str:
    return f"/staff/c/{world.a.id}/houses/{house.id}/"


@pytest.mark.django_db
def test_it_marks_and_unmarks_a_house_through_the_api_with_audit(world, api):
    house = f.house(world.house.unit, "601", floor=6, area="88.00")
    r = api(world.staff).post(path(house), {"held": True})
    assert r.status_code == 200, r.content
    assert r.json()["developer_held"] is True
    house.refresh_from_db()
    assert house.developer_held
    entry = AuditEntry.objects.filter(community_id=world.a.id, object_id=str(house.pk)).latest("id")
    assert entry.action == "update"
    assert (entry.before["developer_held"], entry.after["developer_held"]) == (False, True)
    audited = AuditEntry.objects.filter(community_id=world.a.id).count()
    # Marking again changes nothing and records nothing.
    assert api(world.staff).post(path(house), {"held": True}).json()["developer_held"] is True
    assert AuditEntry.objects.filter(community_id=world.a.id).count() == audited
    assert api(world.staff).get(f"/houses/{house.id}").json()["developer_held"] is True
    r = api(world.staff).post(path(house), {"held": False})
    assert r.json()["developer_held"] is False
    house.refresh_from_db()
    assert not house.developer_held


@pytest.mark.django_db
def test_it_refuses_the_outsider_staff_without_the_right_and_another_buildings_staff(world, api):
    narrowed = build_narrowed(world)
    manager_of_1 = f.staff(world.a, "property_manager", "pm_1", building=world.building)
    other = narrowed.other_house
    for user in (world.outsider, world.front_desk, world.owner, manager_of_1):
        r = api(user).post(path(other), {"held": True})
        assert r.status_code in (403, 404), (user, r.status_code)
    assert not House.objects.filter(developer_held=True).exists()
    # In their own building the narrowed manager may.
    assert api(manager_of_1).post(path(world.neighbour_house), {"held": True}).status_code == 200


@pytest.mark.django_db
def test_it_bounds_the_body(world, api):
    for body in ({}, {"held": "yes"}, {"held": 1}, {"held": None}):
        r = api(world.staff).post(path(world.house), body)
        assert (r.status_code, r.json()["code"]) == (422, "invalid_input"), body
    assert not House.objects.filter(developer_held=True).exists()


@pytest.mark.django_db
def test_the_console_toggles_it_on_the_house_page(world, browser):
    house = f.house(world.house.unit, "601", floor=6, area="88.00")
    manager = browser(world.staff)
    shown = text_of(manager.get(page(world, house)))
    assert "标记为开发商持有" in shown
    r = manager.post(page(world, house) + "developer-held/", {"held": "1"})
    assert r.status_code == 302
    house.refresh_from_db()
    assert house.developer_held
    shown = text_of(manager.get(page(world, house)))
    assert "已标记为开发商持有" in shown and "取消开发商持有" in shown
    manager.post(page(world, house) + "developer-held/", {"held": "0"})
    house.refresh_from_db()
    assert not house.developer_held

    # The front desk sees the mark, has no button, and its post is refused.
    desk = browser(world.front_desk)
    assert "标记为开发商持有" not in text_of(desk.get(page(world, house)))
    assert desk.post(page(world, house) + "developer-held/", {"held": "1"}).status_code in (403, 404)
    house.refresh_from_db()
    assert not house.developer_held


@pytest.mark.django_db
def test_a_roll_fixed_after_marking_counts_the_developers_parts_once(world, api):
    unit = world.house.unit
    unsold = [f.house(unit, n, floor=7, area="50.00") for n in ("701", "702", "703")]
    before = votes.roll_preview(world.a.id)
    for house in unsold:
        assert api(world.staff).post(path(house), {"held": True}).status_code == 200
    after = votes.roll_preview(world.a.id)
    # Three unowned parts were three heads; marked, they are one.
    assert after["heads"] == before["heads"] - 2
    assert after["developer_parts"] == before["developer_parts"] + 3
    vote = votes.do_create_vote(actor=world.admin, community=world.a, title="选聘物业", art278_item=4)
    vote = votes.do_open_vote(actor=world.admin, vote=vote)
    developer = vote.electors.get(developer=True)
    assert sorted(developer.parts.values_list("house_id", flat=True)) == sorted(h.pk for h in unsold)
    assert developer.area_centi == 15000
    assert vote.total_heads == after["heads"]
