"""The registry's console pages: overview, buildings down to a house, counter registration, people
and the logged reveal, search, vehicles, care, the audit timeline and the log of reads."""

import pytest
from django.utils import timezone

from linli.core.models import AuditEntry, PiiAccess
from linli.registry import services
from linli.registry.models import CareTag, Occupancy, Vehicle
from linli.testing import factories as f
from linli.testing.walk import text_of


def url(world, tail: str = "", community=None) -> str:
    return f"/staff/c/{(community or world.a).id}/{tail}"


def test_it_hides_another_community_as_404(world, browser):
    outsider = browser(world.outsider)
    for tail in ("", "buildings/", f"houses/{world.house.id}/", f"people/{world.owner_person.id}/", "audit/"):
        assert outsider.get(url(world, tail)).status_code == 404, tail
    # An object of A asked for under the outsider's own community is a 404 as well.
    b = world.b
    assert outsider.get(url(world, f"houses/{world.house.id}/", b)).status_code == 404
    assert outsider.get(url(world, f"people/{world.owner_person.id}/", b)).status_code == 404
    assert (
        outsider.post(
            url(world, f"people/{world.owner_person.id}/reveal/", b), {"purpose": "verify"}
        ).status_code
        == 404
    )
    assert (
        outsider.post(
            url(world, f"occupancies/{world.lease.id}/end/", b), {"reason": "moved_out"}
        ).status_code
        == 404
    )


def test_it_shows_the_community_overview_with_population_tiles(world, browser):
    r = browser(world.staff).get(url(world))
    page = text_of(r)
    assert r.status_code == 200
    assert "幸福里小区" in page
    tiles = dict(
        (label, value)
        for label, value in (
            ("楼栋", 1),
            ("房屋", 2),
            ("实有人口", 3),
            ("流动人口", 1),
            ("租客", 1),
            ("住户户数", 2),
        )
    )
    for label, value in tiles.items():
        assert f'<div class="stat-label">{label}</div><div class="stat-value">{value}</div>' in page
    assert "即将上线" not in page and "工单" in page and "报表" in page  # every domain is built


def test_it_leaves_population_out_for_roles_without_statistics(world, browser):
    page = text_of(browser(world.front_desk).get(url(world)))
    assert "实有人口" not in page and "楼栋" in page


def test_it_drills_down_from_buildings_to_a_house(world, browser):
    client = browser(world.staff)
    assert url(world, f"buildings/{world.building.id}/") in text_of(client.get(url(world, "buildings/")))
    unit_url = url(world, f"units/{world.house.unit_id}/")
    assert unit_url in text_of(client.get(url(world, f"buildings/{world.building.id}/")))
    page = text_of(client.get(unit_url))
    assert url(world, f"houses/{world.house.id}/") in page and "89.50 ㎡" in page
    house = text_of(client.get(url(world, f"houses/{world.house.id}/")))
    assert "1号楼-1单元-301" in house
    assert "王建国" in house and "李小梅" in house
    assert "138****0001" in house and "13800000001" not in house
    assert "前台代办" in house


def test_it_shows_a_technician_houses_but_no_residents(world, browser):
    tech = browser(world.technician)
    page = text_of(tech.get(url(world, f"houses/{world.house.id}/")))
    assert "1号楼-1单元-301" in page
    assert "王建国" not in page and "138****" not in page and "前台代办" not in page
    for tail in (
        "people/",
        f"people/{world.owner_person.id}/",
        "search/?q=13800000001",
        "vehicles/",
        "care/",
        "audit/",
    ):
        assert tech.get(url(world, tail)).status_code == 404, tail
    nav = text_of(tech.get(url(world)))
    assert "人员" not in nav and "global-search" not in nav


def test_it_masks_a_persons_data_and_offers_a_reveal_only_with_pii_view(world, browser):
    person_url = url(world, f"people/{world.owner_person.id}/")
    page = text_of(browser(world.staff).get(person_url))
    assert "138****0001" in page and "13800000001" not in page
    assert "显示完整信息" in page
    security = f.staff(world.a, "security", "guard")
    page = text_of(browser(security).get(person_url))
    assert "138****0001" in page and "显示完整信息" not in page
    assert browser(security).post(f"{person_url}reveal/", {"purpose": "verify"}).status_code == 200
    assert not PiiAccess.objects.exists()


def test_it_reveals_a_phone_for_a_purpose_and_logs_it(world, browser):
    client = browser(world.front_desk)
    r = client.post(
        url(world, f"people/{world.owner_person.id}/reveal/"), {"purpose": "counter"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200
    fragment = text_of(r)
    assert "13800000001" in fragment and "<html" not in fragment  # the htmx partial only
    row = PiiAccess.objects.get()
    assert (row.actor, row.person_id, row.purpose) == (world.front_desk, world.owner_person.id, "counter")
    log = text_of(browser(world.staff).get(url(world, "pii-log/")))
    assert "王建国" in log and "前台办理业务" in log and "frontdesk" in log


def test_it_does_not_reveal_without_a_purpose(world, browser):
    r = browser(world.staff).post(url(world, f"people/{world.owner_person.id}/reveal/"), {"purpose": ""})
    assert "13800000001" not in text_of(r)
    assert not PiiAccess.objects.exists()


def test_it_registers_a_resident_at_the_counter_on_behalf_of_the_owner(world, browser):
    today = timezone.localdate()
    r = browser(world.front_desk).post(
        url(world, f"houses/{world.house.id}/residents/"),
        {
            "on_behalf": world.owner_person.id,
            "relation": "family",
            "name": "王小宝",
            "valid_from": today.isoformat(),
            "hukou_local": "on",
        },
        follow=True,
    )
    assert r.status_code == 200
    assert "已登记家属 王小宝" in text_of(r)
    occupancy = Occupancy.objects.get(person__name="王小宝")
    entry = AuditEntry.objects.get(object_type="registry.occupancy", object_id=str(occupancy.id))
    assert entry.actor == world.front_desk
    assert entry.on_behalf_of == f"王建国#{world.owner_person.id}"
    history = text_of(browser(world.staff).get(url(world, f"houses/{world.house.id}/")))
    assert "代办：王建国" in history


def test_it_shows_the_counter_the_service_refusal(world, browser):
    r = browser(world.front_desk).post(
        url(world, f"houses/{world.house.id}/residents/"),
        {"relation": "owner", "name": "第二业主", "valid_from": timezone.localdate().isoformat()},
    )
    assert r.status_code == 422
    assert "该房屋已有业主" in text_of(r)


def test_it_refuses_the_counter_form_to_roles_that_may_not_change_people(world, browser):
    r = browser(world.technician).post(
        url(world, f"houses/{world.house.id}/residents/"),
        {"relation": "family", "name": "某人", "valid_from": timezone.localdate().isoformat()},
    )
    assert r.status_code == 404
    assert not Occupancy.objects.filter(person__name="某人").exists()


def test_it_ends_an_occupancy_from_the_house_page(world, browser):
    r = browser(world.staff).post(
        url(world, f"occupancies/{world.lease.id}/end/"),
        {"reason": "lease_ended_early", "on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert "李小梅 的居住登记已结束" in text_of(r)
    world.lease.refresh_from_db()
    assert world.lease.end_reason == "lease_ended_early"


@pytest.mark.parametrize(
    ("query", "expected"),
    [("13800000002", "李小梅"), ("王建", "王建国"), ("301", "1号楼-1单元-301")],
)
def test_it_searches_by_phone_name_and_house_number(world, browser, query, expected):
    page = text_of(browser(world.front_desk).get(url(world, "search/"), {"q": query}))
    assert expected in page
    assert "13800000002" not in page.replace('value="13800000002"', "")  # results show masked phones


def test_it_searches_by_plate(world, browser):
    services.do_register_vehicle(
        actor=world.staff, person=world.owner_person, plate="京A12345", house=world.house
    )
    page = text_of(browser(world.staff).get(url(world, "search/"), {"q": "京a 12345"}))
    assert "京A12345" in page and "王建国" in page


def test_it_does_not_find_another_communitys_people(world, browser):
    page = text_of(browser(world.outsider).get(url(world, "search/", world.b), {"q": "13800000001"}))
    assert "王建国" not in page and "没有找到匹配的结果" in page


def test_it_lists_vehicles_masked_and_shows_a_searched_plate_in_full(world, browser):
    services.do_register_vehicle(
        actor=world.staff, person=world.owner_person, plate="京A12345", house=world.house
    )
    listing = text_of(browser(world.staff).get(url(world, "vehicles/")))
    assert "京A***45" in listing and "京A12345" not in listing
    found = text_of(browser(world.staff).get(url(world, "vehicles/"), {"plate": "京A12345"}))
    assert "京A12345" in found


def test_it_lists_care_tags_only_for_roles_with_care_view(world, browser):
    services.do_add_care_tag(
        actor=world.grid_worker,
        person=world.owner_person,
        kind="elderly_alone",
        consent_by="王建国",
        consent_method="书面",
    )
    page = text_of(browser(world.grid_worker).get(url(world, "care/")))
    assert "王建国" in page and "独居老人" in page
    assert browser(world.front_desk).get(url(world, "care/")).status_code == 404
    assert "关爱对象" not in text_of(browser(world.front_desk).get(url(world)))
    assert "独居老人" not in text_of(
        browser(world.front_desk).get(url(world, f"people/{world.owner_person.id}/"))
    )
    assert CareTag.objects.count() == 1


def test_it_shows_the_audit_timeline_and_each_objects_history(world, browser):
    services.do_update_house(actor=world.staff, house=world.house, area="90.25")
    page = text_of(browser(world.admin).get(url(world, "audit/")))
    assert "修改房屋" in page and "89.50 → 90.25" in page
    only_people = text_of(browser(world.admin).get(url(world, "audit/"), {"type": "registry.person"}))
    assert "修改房屋" not in only_people
    house = text_of(browser(world.admin).get(url(world, f"houses/{world.house.id}/")))
    assert "89.50 → 90.25" in house
    assert browser(world.front_desk).get(url(world, "audit/")).status_code == 404


def test_it_pages_a_long_unit_with_a_next_link(world, browser):
    unit = world.house.unit
    for n in range(60):
        f.house(unit, f"9{n:02d}", floor=9)
    client = browser(world.staff)
    first = text_of(client.get(url(world, f"units/{unit.id}/")))
    assert "下一页" in first and ">900<" in first and ">959<" not in first
    next_href = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = text_of(client.get(url(world, f"units/{unit.id}/") + next_href))
    assert ">959<" in second and ">900<" not in second
    assert "下一页" not in second and "第一页" in second


def test_it_pins_the_query_count_of_the_main_lists(world, browser, django_assert_max_num_queries):
    unit = world.house.unit
    for n in range(30):
        house = f.house(unit, f"8{n:02d}", floor=8)
        person = f.person(world.a, f"住户{n}")
        f.occupy(house, person)
        Vehicle.objects.create(
            community=world.a, plate=f"京B{n:05d}", plate_bidx=f"p{n}", person=person, house=house
        )
        services.do_update_house(actor=world.staff, house=house, area="70.00")
    client = browser(world.admin)
    # Each page costs the same however many rows it lists (30 here): no N+1.
    pinned = {
        f"units/{unit.id}/": 8,
        "people/": 8,
        "vehicles/": 7,
        "audit/": 7,
        "pii-log/": 7,
        "": 17,  # the overview: the role's home figures (registered by the apps) add one count each
        f"houses/{world.house.id}/": 10,
    }
    for tail, most in pinned.items():
        client.get(url(world, tail))  # warm the session
        with django_assert_max_num_queries(most):
            assert client.get(url(world, tail)).status_code == 200, tail
