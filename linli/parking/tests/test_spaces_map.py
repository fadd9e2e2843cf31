"""The console's spaces map (/parking/staff/<cid>/spaces/): every space of the community by
area, each tile coloured by its state now, the counts and shared use per area, the filters, who
may open it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from linli.parking import queries, services
from linli.parking.models import ParkingPass
from linli.parking.queries import area_of
from linli.registry.models import ParkingSpace
from linli.testing import factories as f
from linli.testing.parking import next_monday, office_block


def url(world) -> str:
    return f"/parking/staff/{world.a.id}/spaces/"


def tiles(page: str) -> dict[str, tuple[str, str]]:
    """Each tile's number → (its tone, its title)."""
    found = re.findall(r'<span class="badge badge-(\w+)" title="([^"]*)">([^ <]+) ', page)
    return {number: (tone, title) for tone, title, number in found}


@pytest.fixture
def lot(world, clock):
    """At 20:00 on a Monday: an owned space under the owner's paid pass, an office block's three
    shared spaces of which one is booked 19:30–23:00, a visitor space nobody takes."""
    monday = next_monday(timezone.now())
    clock.set(monday + timedelta(hours=19))
    owned = ParkingSpace.objects.create(
        community=world.a, number="B1-001", kind="owned", area_name="地下一层", house=world.house
    )
    visitor = ParkingSpace.objects.create(
        community=world.a, number="V01", kind="visitor", area_name="地面访客车位"
    )
    parking_pass = services.do_issue_pass(
        actor=world.staff,
        house=world.house,
        person=world.owner_person,
        plate="京A12345",
        period="monthly",
        valid_from=monday.date(),
        fee_fen=30000,
        space_id=owned.pk,
    )
    services.do_record_counter_payment(actor=world.staff, parking_pass=parking_pass)
    garage = office_block(world)
    booking = services.do_book_shared_space(
        actor=world.owner,
        offer=garage.offer,
        start_at=monday + timedelta(hours=19, minutes=30),
        end_at=monday + timedelta(hours=23),
        plate="京B56789",
    )
    clock.set(monday + timedelta(hours=20))
    return {"owned": owned, "visitor": visitor, "garage": garage, "booking": booking, "monday": monday}


def test_area_of_groups_by_the_registry_area_or_the_numbers_prefix():
    assert area_of("地下一层", "B1-001") == "地下一层"
    assert area_of("", "B1-012") == "B1-…"
    assert area_of("", "A12") == "A…"
    assert area_of("", "12") == ""


def test_the_map_shows_each_space_in_its_state_now(world, browser, lot):
    page = browser(world.staff).get(url(world))
    assert page.status_code == 200
    text = page.content.decode()
    shown = tiles(text)
    booked, *offered = [s.number for s in lot["garage"].spaces]
    assert lot["booking"].space.number == booked
    assert shown["B1-001"] == ("warn", "B1-001 · 产权车位 · 月卡占用 · 京A***45")
    assert shown[booked] == ("danger", f"{booked} · 产权车位 · 预约中 · 京B***89")
    assert all(shown[n] == ("info", f"{n} · 产权车位 · 共享空闲") for n in offered)
    assert shown["V01"] == ("brand", "V01 · 访客车位 · 空闲")
    assert "京A12345" not in text and "京B56789" not in text  # plates masked
    assert world.owner_person.name not in text  # no names
    # the areas in name order, the office block's spaces under their numbers' prefix
    garage_area = area_of("", booked)
    order = [m for m in re.findall(r'<h2 class="section-title">([^<]+?) <span', text)]
    assert order == sorted(["地下一层", "地面访客车位", garage_area])
    row = re.search(r"<tr><td>" + re.escape(garage_area) + r"</td>(.*?)</tr>", text)[1]
    assert re.findall(r'<td class="num">([^<]+)</td>', row)[:5] == ["3", "2", "1", "0", "3"]


def test_the_shared_use_per_area_adds_up_to_the_communitys(world, lot):
    now = lot["monday"] + timedelta(hours=20)
    since = now - timedelta(days=30)
    areas = {a.name: a for a in queries.spaces_map(world.staff, world.a.id, now, since)}
    garage = areas[area_of("", lot["garage"].spaces[0].number)]
    assert garage.booked_hours == pytest.approx(0.5)
    community = queries.shared_use(world.staff, world.a.id, since, now)
    assert round(garage.booked_hours / garage.offered_hours, 4) == community["rate"] > 0
    assert areas["地下一层"].rate is None and areas["地面访客车位"].rate is None


def test_the_filters_narrow_the_tiles_by_state_and_area(world, browser, lot):
    client = browser(world.front_desk)
    booked = lot["booking"].space.number
    assert set(tiles(client.get(url(world), {"state": "booked"}).content.decode())) == {booked}
    assert set(tiles(client.get(url(world), {"state": "pass"}).content.decode())) == {"B1-001"}
    assert set(tiles(client.get(url(world), {"state": "free"}).content.decode())) == {"V01"}
    assert len(tiles(client.get(url(world), {"state": "offered"}).content.decode())) == 2
    by_area = client.get(url(world), {"area": "地面访客车位"}).content.decode()
    assert set(tiles(by_area)) == {"V01"}
    assert 'id="areas-total"' in by_area  # the counts still cover every area
    none = client.get(url(world), {"area": "地面访客车位", "state": "booked"}).content.decode()
    assert tiles(none) == {} and 'id="no-match"' in none
    # an unknown state is no filter
    assert len(tiles(client.get(url(world), {"state": "nonsense"}).content.decode())) == 5


def test_a_space_with_no_area_and_no_prefix_is_filtered_as_no_area(world, browser):
    ParkingSpace.objects.create(community=world.a, number="7", kind="shared")
    client = browser(world.staff)
    page = client.get(url(world), {"area": "~"}).content.decode()
    assert set(tiles(page)) == {"7"} and "未分区" in page


def test_an_ended_or_unpaid_pass_and_a_past_booking_leave_the_space_free(world, browser, lot, clock):
    clock.set(lot["monday"] + timedelta(hours=23, minutes=30))  # the booking has ended
    ParkingPass.objects.update(status="unpaid")
    shown = tiles(browser(world.staff).get(url(world)).content.decode())
    assert shown["B1-001"][0] == "brand"
    assert shown[lot["booking"].space.number][0] == "info"


def test_only_staff_with_parking_view_open_the_map(world, browser, lot):
    assert browser(world.front_desk).get(url(world)).status_code == 200
    assert browser(f.staff(world.a, "security", "guard_map")).get(url(world)).status_code == 200
    assert browser(world.technician).get(url(world)).status_code in (403, 404)
    assert browser(world.outsider).get(url(world)).status_code == 404
    resident = browser(world.owner).get(url(world))
    assert resident.status_code == 302 and resident["Location"] == "/"


def test_the_console_navigation_links_the_map(world, browser):
    page = browser(world.staff).get(f"/parking/staff/{world.a.id}/offers/").content.decode()
    assert f'href="{url(world)}"' in page and "车位分布" in page
    page = browser(world.staff).get(url(world)).content.decode()
    assert f'<a href="{url(world)}" aria-current="page">车位分布</a>' in page


def test_the_demo_shows_its_garage_offered_and_the_households_space_under_its_pass(world, browser):
    from linli.parking.demo import SPACES, seed_parking_demo

    ParkingSpace.objects.create(
        community=world.a, number="B1-101", kind="owned", area_name="地下一层车库", house=world.house
    )
    seed_parking_demo(world.a)
    page = browser(world.staff).get(url(world)).content.decode()
    shown = tiles(page)
    assert shown["B1-101"][0] == "warn"
    assert sum(1 for n, (tone, _title) in shown.items() if n.startswith("XH-") and tone == "info") == SPACES
    assert "星河写字楼地库" in page and "地下一层车库" in page
