"""The console's forms for editing and retiring offerings, slots and venues and for linking a
provider's logins by phone: what staff holding services.manage do, what the counter cannot, and
that a phone number is never shown in full."""

import pytest

from linli.core.models import AuditEntry
from linli.services.models import ProviderStaff, ServiceOffering, ServiceSlot, Venue
from linli.services.services import bookings
from linli.testing import factories as f
from linli.testing.services import next_weekday


@pytest.mark.django_db
def test_staff_link_and_unlink_a_provider_login_on_the_page(world, browser, cat):
    login = f.user("ayi", phone="13700000007", display_name="张阿姨")
    url = f"/life/staff/{world.a.pk}/providers/"
    manager = browser(world.staff)
    page = manager.get(url).text
    assert 'id="link-login"' in page and "保**姨" in page  # the catalogue's login, masked
    r = manager.post(url, {"action": "link_login", "provider_id": cat.provider.pk, "phone": "13700000007"})
    assert r.status_code == 302
    assert ProviderStaff.objects.filter(provider=cat.provider, user=login).exists()
    page = manager.get(url).text
    assert "137****0007" in page and "张*姨" in page
    assert "13700000007" not in page and "张阿姨" not in page
    # No account with that number: told so, nothing linked.
    manager.post(url, {"action": "link_login", "provider_id": cat.provider.pk, "phone": "13700000008"})
    assert "没有使用该手机号的账号" in manager.get(url).text
    manager.post(url, {"action": "unlink_login", "provider_id": cat.provider.pk, "user_id": login.pk})
    assert not ProviderStaff.objects.filter(user=login).exists()
    assert AuditEntry.objects.filter(action="services.provider_staff_removed").count() == 1
    # The counter sees the page without the form, and its posts change nothing.
    desk = browser(world.front_desk)
    assert 'id="link-login"' not in desk.get(url).text
    desk.post(url, {"action": "link_login", "provider_id": cat.provider.pk, "phone": "13700000007"})
    desk.post(
        url, {"action": "unlink_login", "provider_id": cat.provider.pk, "user_id": cat.provider_user.pk}
    )
    assert set(ProviderStaff.objects.values_list("user_id", flat=True)) == {cat.provider_user.pk}
    assert manager.post(url, {"action": "unlink_login", "provider_id": "999999"}).status_code == 404


@pytest.mark.django_db
def test_staff_edit_and_retire_an_offering_and_its_slots_on_the_page(world, browser, cat):
    url = f"/life/staff/{world.a.pk}/providers/"
    manager = browser(world.staff)
    page = manager.get(url, {"offering": cat.offering.pk}).text
    assert 'id="edit-offering"' in page and 'value="日常保洁2小时"' in page
    r = manager.post(
        url,
        {
            "action": "edit_offering",
            "offering_id": cat.offering.pk,
            "category": "home_cleaning",
            "title": "深度保洁",
            "price_fen": "",
            "duration_minutes": "180",
            "description": "含厨房",
        },
    )
    assert r.status_code == 302 and r["Location"].endswith(f"?offering={cat.offering.pk}#edit-offering")
    offering = ServiceOffering.objects.get()
    assert offering.title == "深度保洁" and offering.price_fen is None and offering.duration_minutes == 180

    bookings.do_book_service(
        actor=world.owner,
        offering=cat.offering,
        slot_id=cat.slot.pk,
        on=next_weekday(2),
        house_id=world.house.pk,
    )
    bookings.do_book_service(
        actor=world.neighbour,
        offering=cat.offering,
        slot_id=cat.slot.pk,
        on=next_weekday(2),
        house_id=world.neighbour_house.pk,
    )
    edit = {
        "action": "edit_slot",
        "offering_id": cat.offering.pk,
        "slot_id": cat.slot.pk,
        "weekday": "2",
        "start_time": "09:00",
    }
    manager.post(url, {**edit, "capacity": "1"})
    assert ServiceSlot.objects.get().capacity == 2
    assert "名额不能少于已预约的人数" in manager.get(url, {"offering": cat.offering.pk}).text
    manager.post(url, {**edit, "capacity": "5"})
    assert ServiceSlot.objects.get().capacity == 5

    manager.post(url, {"action": "retire_slot", "offering_id": cat.offering.pk, "slot_id": cat.slot.pk})
    assert not ServiceSlot.objects.get().active
    manager.post(url, {"action": "retire_offering", "offering_id": cat.offering.pk})
    assert not ServiceOffering.objects.get().active
    assert "已下架" in manager.get(url).text
    resident = browser(world.owner).get("/life/").text
    assert "深度保洁" in resident  # the booking made stays listed in 我的预约
    assert f'name="offering_id" value="{cat.offering.pk}"' not in resident  # no form to book it
    manager.post(url, {"action": "reopen_offering", "offering_id": cat.offering.pk})
    manager.post(url, {"action": "reopen_slot", "offering_id": cat.offering.pk, "slot_id": cat.slot.pk})
    assert ServiceOffering.objects.get().active and ServiceSlot.objects.get().active

    # The counter's posts change nothing; another community's offering is not found.
    desk = browser(world.front_desk)
    assert 'id="edit-offering"' not in desk.get(url, {"offering": cat.offering.pk}).text
    desk.post(url, {"action": "retire_offering", "offering_id": cat.offering.pk})
    assert ServiceOffering.objects.get().active
    assert manager.post(url, {"action": "retire_offering", "offering_id": "999999"}).status_code == 404


@pytest.mark.django_db
def test_staff_edit_and_retire_a_venue_on_the_page(world, browser, cat):
    url = f"/life/staff/{world.a.pk}/venues/"
    manager = browser(world.staff)
    page = manager.get(url, {"venue": cat.venue.pk}).text
    assert 'id="edit-venue"' in page and 'value="活动室"' in page
    body = {
        "action": "edit_venue",
        "venue_id": cat.venue.pk,
        "name": "多功能活动室",
        "kind": "activity_room",
        "opens_at": "09:00",
        "closes_at": "21:00",
        "slot_minutes": "60",
        "max_per_week": "3",
        "deposit_fen": "2000",
        "owners_only": "on",
        "rules": "请爱护设施",
    }
    r = manager.post(url, body)
    assert r.status_code == 302
    venue = Venue.objects.get()
    assert venue.name == "多功能活动室" and venue.max_per_week == 3 and venue.deposit_fen == 2000
    assert venue.owners_only and venue.rules == "请爱护设施"
    manager.post(url, {**body, "closes_at": "21:30"})
    assert Venue.objects.get().closes_at.hour == 21 and Venue.objects.get().closes_at.minute == 0
    assert "开放时段应为时段长度的整数倍" in manager.get(url).text

    manager.post(url, {"action": "retire_venue", "venue_id": cat.venue.pk})
    assert not Venue.objects.get().active
    assert "多功能活动室" not in browser(world.owner).get("/life/").text
    manager.post(url, {"action": "reopen_venue", "venue_id": cat.venue.pk})
    assert Venue.objects.get().active

    desk = browser(world.front_desk)
    assert 'id="edit-venue"' not in desk.get(url, {"venue": cat.venue.pk}).text
    desk.post(url, {"action": "retire_venue", "venue_id": cat.venue.pk})
    desk.post(url, {**body, "name": "柜台改的"})
    assert Venue.objects.get().active and Venue.objects.get().name == "多功能活动室"
    assert (
        browser(world.technician).post(url, {"action": "retire_venue", "venue_id": cat.venue.pk}).status_code
        == 404
    )
    assert (
        browser(world.outsider).post(url, {"action": "retire_venue", "venue_id": cat.venue.pk}).status_code
        == 404
    )
    assert Venue.objects.get().active
