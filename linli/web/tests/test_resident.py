import re
from datetime import timedelta

from django.utils import timezone

from linli.core.models import AuditEntry
from linli.registry.models import Occupancy, Person, Vehicle
from linli.testing import factories as f
from linli.web.tests.conftest import text_of


def test_it_sends_an_anonymous_visitor_to_the_login_page(browser):
    r = browser().get("/")
    assert r.status_code == 302
    assert r["Location"].startswith("/login/?next=/")


def test_it_shows_the_owner_their_house_household_and_vehicles(world, browser):
    Vehicle.objects.create(
        community=world.a, plate="京A12345", plate_bidx="x", person=world.owner_person, house=world.house
    )
    r = browser(world.owner).get("/")
    page = text_of(r)
    assert r.status_code == 200
    assert "1号楼-1单元-301" in page and "89.50 ㎡" in page and "业主" in page
    assert "13800000001" in page  # my own phone in full
    assert "李小梅" in page and "138****0002" in page and "13800000002" not in page  # the tenant, masked
    assert "京A12345" in page
    assert "赵邻居" not in page  # the neighbour is not my household
    assert "陈外人" not in page


def test_it_tells_a_resident_without_registration_to_contact_the_property_office(world, browser):
    stranger = f.user("stranger", phone="13900000009")
    page = text_of(browser(stranger).get("/"))
    assert "还没有您的住户登记" in page
    assert "联系物业" in page


def test_it_shows_the_tenant_the_lease_end_date(world, browser):
    page = text_of(browser(world.tenant).get("/"))
    assert "租客" in page
    end = world.lease.valid_to
    assert f"{end.month}月{end.day}日" in page


def test_it_shows_a_house_only_to_its_household(world, browser):
    assert browser(world.owner).get(f"/houses/{world.house.id}/").status_code == 200
    assert browser(world.neighbour).get(f"/houses/{world.house.id}/").status_code == 404
    assert browser(world.outsider).get(f"/houses/{world.house.id}/").status_code == 404
    assert browser(world.outsider).get(f"/houses/{world.house.id}/register/").status_code == 404


def test_it_lets_the_landlord_register_a_tenant_with_lease_dates(world, browser):
    today = timezone.localdate()
    r = browser(world.owner).post(
        f"/houses/{world.house.id}/register/",
        {
            "relation": "tenant",
            "name": "孙新租",
            "phone": "13700000011",
            "id_number": "",
            "valid_from": today.isoformat(),
            "valid_to": (today + timedelta(days=365)).isoformat(),
            "hukou_local": "",
        },
        follow=True,
    )
    assert r.status_code == 200
    assert "已登记租客 孙新租" in text_of(r)
    occupancy = Occupancy.objects.get(person__name="孙新租")
    assert occupancy.relation == "tenant" and occupancy.house == world.house
    assert occupancy.valid_to == today + timedelta(days=365)
    assert occupancy.registered_by == world.owner
    assert Person.objects.get(name="孙新租").hukou_local is False
    assert AuditEntry.objects.filter(object_type="registry.occupancy", object_id=str(occupancy.id)).exists()


def test_it_shows_the_service_refusal_when_the_lease_has_no_end(world, browser):
    r = browser(world.owner).post(
        f"/houses/{world.house.id}/register/",
        {"relation": "tenant", "name": "孙新租", "valid_from": timezone.localdate().isoformat()},
    )
    assert r.status_code == 200
    page = text_of(r)
    assert "登记租客必须填写租期截止日期" in page
    assert not Occupancy.objects.filter(person__name="孙新租").exists()


def test_it_offers_a_tenant_only_to_register_family(world, browser):
    r = browser(world.tenant).get(f"/houses/{world.house.id}/register/")
    page = text_of(r)
    assert 'value="family"' in page and 'value="tenant"' not in page
    r = browser(world.tenant).post(
        f"/houses/{world.house.id}/register/",
        {"relation": "tenant", "name": "转租客", "valid_from": timezone.localdate().isoformat()},
    )
    assert "转租客" not in Person.objects.values_list("name", flat=True)


def test_it_lets_the_landlord_end_the_lease_early(world, browser):
    client = browser(world.owner)
    page = text_of(client.get(f"/houses/{world.house.id}/"))
    assert f"/houses/{world.house.id}/members/{world.lease.id}/" in page
    r = client.post(
        f"/houses/{world.house.id}/members/{world.lease.id}/",
        {"on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert r.status_code == 200
    assert "李小梅 的居住登记已结束" in text_of(r)
    world.lease.refresh_from_db()
    assert world.lease.ended_at is not None and world.lease.end_reason == "lease_ended_early"


def test_it_does_not_offer_the_tenant_to_end_the_owners_title(world, browser):
    owner_occupancy = Occupancy.objects.get(house=world.house, relation="owner")
    r = browser(world.tenant).post(
        f"/houses/{world.house.id}/members/{owner_occupancy.id}/", {"on": timezone.localdate().isoformat()}
    )
    assert r.status_code == 200
    owner_occupancy.refresh_from_db()
    assert owner_occupancy.ended_at is None


def test_it_hides_another_households_member_as_404(world, browser):
    assert (
        browser(world.neighbour).get(f"/houses/{world.house.id}/members/{world.lease.id}/").status_code == 404
    )
    assert (
        browser(world.outsider).get(f"/houses/{world.house.id}/members/{world.lease.id}/").status_code == 404
    )


def test_it_lists_the_inbox_and_marks_a_message_read(world, browser):
    from linli.notify.models import Notification

    note = Notification.objects.create(
        recipient=world.owner, kind="notice", title="停水通知", link="/services/"
    )
    Notification.objects.create(recipient=world.neighbour, kind="notice", title="别人的消息")
    client = browser(world.owner)
    page = text_of(client.get("/messages/"))
    assert "停水通知" in page and "别人的消息" not in page
    assert 'class="count"' in text_of(client.get("/"))  # unread badge on the tab bar
    r = client.post(f"/messages/{note.id}/open/")
    assert r["Location"] == "/services/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert browser(world.neighbour).post(f"/messages/{note.id}/open/").status_code == 404


def test_it_shows_the_resident_tabs(world, browser):
    client = browser(world.owner)
    for path in ("/services/", "/messages/", "/me/"):
        r = client.get(path)
        assert r.status_code == 200
        assert 'aria-current="page"' in text_of(r)
    assert "物业管理台" not in text_of(client.get("/me/"))
    assert "物业管理台" in text_of(browser(world.outsider).get("/me/"))  # staff of B who also lives there


def test_it_renders_the_not_found_page_in_the_design_system(world, browser):
    r = browser(world.outsider).get(f"/houses/{world.house.id}/")
    assert r.status_code == 404
    page = text_of(r)
    assert "页面不存在或您无权查看" in page and "linli.css" in page


RESIDENT_ACCESS_TILES = {
    "open": "/access/",
    "invite": "/access/invite/",
    "passes": "/access/passes/",
    "codes": "/access/#my-qr",
    "face": "/access/face/",
}


def access_tiles(page: str) -> dict[str, str]:
    return dict(
        (tile, href)
        for href, tile in re.findall(r'<a class="tile" href="(/access/[^"]*)" data-tile="([a-z]+)">', page)
    )


def test_it_links_the_services_to_the_access_pages(world, browser):
    from linli.testing.access import install

    install(world)
    client = browser(world.owner)
    page = text_of(client.get("/services/"))
    assert access_tiles(page) == RESIDENT_ACCESS_TILES
    assert '议事投票</span><span class="badge">' not in page  # engage registers the live tile
    assert '报事报修</span><span class="badge">' not in page  # work orders register the live tile
    assert '缴费</span><span class="badge">' not in page  # billing registers the live tile
    assert '开门</span><span class="badge">' not in page and '邀请访客</span><span class="badge">' not in page
    for href in RESIDENT_ACCESS_TILES.values():
        assert client.get(href).status_code == 200, href
    assert "1号楼大堂门" in text_of(client.get("/access/"))


def test_it_offers_a_user_without_a_home_only_the_door_page(world, browser):
    client = browser(world.technician)
    assert access_tiles(text_of(client.get("/services/"))) == {"open": "/access/"}
    assert "还没有可以打开的门" in text_of(client.get("/access/"))
    assert client.get("/access/invite/").status_code == 404


def test_it_opens_the_outsiders_own_doors_not_community_as(world, browser):
    from linli.testing.access import install

    install(world)
    client = browser(world.outsider)
    assert access_tiles(text_of(client.get("/services/"))) == RESIDENT_ACCESS_TILES
    page = text_of(client.get("/access/"))
    assert "和平苑南门" in page and "东门" not in page and "1号楼大堂门" not in page
