"""Editing and retiring offerings, slots and venues, and linking a provider's logins, through the
API with the personas: the capacity rule, retired things not bookable (their bookings kept),
refusals with their codes and nothing half-written, and who may not."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from linli.core.models import AuditEntry
from linli.services.models import ProviderStaff, ServiceBooking, ServiceOffering, ServiceSlot, SlotDay, Venue
from linli.services.services import bookings
from linli.testing import factories as f
from linli.testing.services import next_weekday


def _book(api, user, cat, house, *, on=None, slot=None):
    return api(user).post(
        f"/services/offerings/{cat.offering.pk}/bookings",
        {"slot_id": (slot or cat.slot).pk, "date": (on or next_weekday(2)).isoformat(), "house_id": house.pk},
    )


# --- offerings ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_edit_an_offering(world, api, cat):
    r = api(world.staff).patch(
        f"/services/offerings/{cat.offering.pk}",
        {"title": " 深度保洁3小时 ", "price_fen": None, "duration_minutes": 180, "description": "含厨房"},
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["title"] == "深度保洁3小时" and body["price_fen"] is None and body["duration_minutes"] == 180
    assert body["category"] == "home_cleaning"  # untouched
    entry = AuditEntry.objects.filter(action="services.offering_updated").get()
    assert entry.before["title"] == "日常保洁2小时" and entry.after["title"] == "深度保洁3小时"
    # Out of range and null where null means nothing: refused at the edge, nothing written.
    assert (
        api(world.staff).patch(f"/services/offerings/{cat.offering.pk}", {"duration_minutes": 5}).status_code
        == 422
    )
    assert (
        api(world.staff).patch(f"/services/offerings/{cat.offering.pk}", {"title": None}).status_code == 422
    )
    r = api(world.staff).patch(f"/services/offerings/{cat.offering.pk}", {"title": "   "})
    assert r.status_code == 400 and r.json()["code"] == "title_required"
    assert ServiceOffering.objects.get().title == "深度保洁3小时"


@pytest.mark.django_db
def test_a_retired_offering_is_neither_listed_nor_bookable_and_its_bookings_stay(world, api, cat):
    booking = _book(api, world.owner, cat, world.house).json()
    r = api(world.staff).post(f"/services/offerings/{cat.offering.pk}/retire")
    assert r.status_code == 200 and r.json()["active"] is False
    again = api(world.staff).post(f"/services/offerings/{cat.offering.pk}/retire")
    assert again.status_code == 409 and again.json()["code"] == "already_retired"

    assert api(world.owner).get("/services/my/offerings").json() == []
    assert _book(api, world.tenant, cat, world.house, on=next_weekday(2, weeks=1)).status_code == 404
    # The counter's 代办 reaches the offering, and is told why not.
    r = api(world.front_desk).post(
        f"/services/offerings/{cat.offering.pk}/bookings-for",
        {
            "slot_id": cat.slot.pk,
            "date": next_weekday(2, weeks=1).isoformat(),
            "house_id": world.house.pk,
            "person_id": world.owner_person.pk,
        },
    )
    assert r.status_code == 409 and r.json()["code"] == "offering_retired"

    # The booking made before stays valid: confirmed and completed by the provider.
    provider = api(cat.provider_user)
    assert provider.post(f"/services/bookings/{booking['id']}/confirm").json()["status"] == "confirmed"
    done = provider.post(f"/services/bookings/{booking['id']}/complete", {"fee_fen": 12000}).json()
    assert done["status"] == "completed"

    assert api(world.staff).post(f"/services/offerings/{cat.offering.pk}/reopen").json()["active"] is True
    r = api(world.staff).post(f"/services/offerings/{cat.offering.pk}/reopen")
    assert r.status_code == 409 and r.json()["code"] == "not_retired"
    assert [o["id"] for o in api(world.owner).get("/services/my/offerings").json()] == [cat.offering.pk]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"services.offering_retired", "services.offering_reopened"} <= actions


@pytest.mark.django_db
def test_a_cancelled_booking_of_a_retired_offering_gives_its_place_back(world, api, cat):
    booking = _book(api, world.owner, cat, world.house).json()
    api(world.staff).post(f"/services/offerings/{cat.offering.pk}/retire")
    r = api(world.owner).post(f"/services/bookings/{booking['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert SlotDay.objects.get().taken == 0


# --- slots ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_slot_capacity_never_drops_below_the_places_booked_to_come(world, api, cat):
    assert _book(api, world.owner, cat, world.house).status_code == 201
    assert _book(api, world.neighbour, cat, world.neighbour_house).status_code == 201
    url = f"/services/slots/{cat.slot.pk}"
    r = api(world.staff).patch(url, {"capacity": 1})
    assert r.status_code == 409 and r.json()["code"] == "slot_capacity_below_booked"
    assert r.json()["fields"] == {"capacity": "至少 2"}
    assert ServiceSlot.objects.get().capacity == 2 and SlotDay.objects.get().capacity == 2  # nothing written

    # Raising it carries the day to come with it: a third household now gets a place.
    assert api(world.staff).patch(url, {"capacity": 3}).json()["capacity"] == 3
    assert SlotDay.objects.get().capacity == 3
    third = f.house(world.house.unit, "502", floor=5)
    resident = f.user("third", phone="13800000005")
    f.occupy(third, f.person(world.a, "孙三家", phone="13800000005", login=resident), "owner")
    assert _book(api, resident, cat, third).status_code == 201
    assert api(world.staff).patch(url, {"capacity": 2}).json()["code"] == "slot_capacity_below_booked"
    # A place given back lets it come down again.
    mine = api(world.owner).get("/services/my/bookings").json()[0]
    api(world.owner).post(f"/services/bookings/{mine['id']}/cancel")
    assert api(world.staff).patch(url, {"capacity": 2}).status_code == 200
    assert AuditEntry.objects.filter(action="services.slot_updated").count() == 2


@pytest.mark.django_db
def test_a_past_day_does_not_hold_back_a_lower_capacity(world, api, cat):
    # A day gone by, fully booked, does not count.
    SlotDay.objects.create(slot=cat.slot, date=timezone.localdate() - timedelta(days=7), capacity=2, taken=2)
    r = api(world.staff).patch(f"/services/slots/{cat.slot.pk}", {"capacity": 1})
    assert r.status_code == 200 and r.json()["capacity"] == 1
    assert SlotDay.objects.get().capacity == 2  # the past stays as it was


@pytest.mark.django_db
def test_a_slot_moves_only_while_nothing_is_booked_on_it(world, api, cat):
    url = f"/services/slots/{cat.slot.pk}"
    booking = _book(api, world.owner, cat, world.house).json()
    r = api(world.staff).patch(url, {"start_time": "10:00"})
    assert r.status_code == 409 and r.json()["code"] == "slot_has_bookings"
    api(world.owner).post(f"/services/bookings/{booking['id']}/cancel")
    moved = api(world.staff).patch(url, {"weekday": 3, "start_time": "10:00"}).json()
    assert moved["weekday"] == 3 and moved["start_time"] == "10:00:00"
    other = (
        api(world.staff)
        .post(f"/services/offerings/{cat.offering.pk}/slots", {"weekday": 4, "start_time": "09:00"})
        .json()
    )
    r = api(world.staff).patch(f"/services/slots/{other['id']}", {"weekday": 3, "start_time": "10:00"})
    assert r.status_code == 409 and r.json()["code"] == "slot_exists"
    assert ServiceSlot.objects.get(pk=other["id"]).weekday == 4


@pytest.mark.django_db
def test_a_retired_slot_takes_no_booking_and_keeps_its_own(world, api, cat):
    kept = _book(api, world.owner, cat, world.house).json()
    r = api(world.staff).post(f"/services/slots/{cat.slot.pk}/retire")
    assert r.status_code == 200 and r.json()["active"] is False
    assert api(world.staff).post(f"/services/slots/{cat.slot.pk}/retire").json()["code"] == "already_retired"
    r = _book(api, world.neighbour, cat, world.neighbour_house)
    assert r.status_code == 409 and r.json()["code"] == "slot_retired", r.json()
    # Residents see the offering without its retired slot; staff see it marked.
    assert api(world.owner).get("/services/my/offerings").json()[0]["slots"] == []
    listed = api(world.staff).get(f"/services/communities/{world.a.pk}/offerings").json()
    assert [s["active"] for s in listed[0]["slots"]] == [False]
    assert ServiceBooking.objects.get(pk=kept["id"]).status == "requested"
    assert api(cat.provider_user).post(f"/services/bookings/{kept['id']}/confirm").status_code == 200
    assert api(world.staff).post(f"/services/slots/{cat.slot.pk}/reopen").json()["active"] is True
    assert _book(api, world.neighbour, cat, world.neighbour_house).status_code == 201


# --- venues ---------------------------------------------------------------------------------------


def _at(days_ahead_weekday: int, hour: int) -> str:
    return timezone.make_aware(datetime.combine(next_weekday(days_ahead_weekday), time(hour))).isoformat()


@pytest.mark.django_db
def test_staff_edit_a_venue_and_its_rules_apply_to_new_bookings(world, api, cat):
    first = api(world.owner).post(
        f"/services/venues/{cat.venue.pk}/bookings", {"house_id": world.house.pk, "starts_at": _at(4, 10)}
    )
    assert first.status_code == 201 and first.json()["deposit_fen"] == 0
    url = f"/services/venues/{cat.venue.pk}"
    r = api(world.staff).patch(
        url, {"deposit_fen": 5000, "max_per_week": 1, "owners_only": True, "rules": "请保持安静"}
    )
    assert r.status_code == 200, r.json()
    assert r.json()["deposit_fen"] == 5000 and r.json()["owners_only"] and r.json()["name"] == "活动室"
    # The new weekly limit counts the booking made before; that booking keeps no deposit.
    again = api(world.owner).post(
        f"/services/venues/{cat.venue.pk}/bookings", {"house_id": world.house.pk, "starts_at": _at(4, 14)}
    )
    assert again.status_code == 409 and again.json()["code"] == "venue_weekly_limit"
    tenant = api(world.tenant).post(
        f"/services/venues/{cat.venue.pk}/bookings", {"house_id": world.house.pk, "starts_at": _at(5, 10)}
    )
    assert tenant.status_code == 403 and tenant.json()["code"] == "venue_not_for_you"
    assert api(world.owner).get("/services/my/venue-bookings").json()[0]["deposit_fen"] == 0
    # Hours that are not whole slots: refused, nothing written.
    r = api(world.staff).patch(url, {"closes_at": "20:30"})
    assert r.status_code == 400 and r.json()["code"] == "bad_hours"
    r = api(world.staff).patch(url, {"opens_at": "21:00"})
    assert r.status_code == 400 and r.json()["code"] == "bad_hours"
    assert Venue.objects.get().closes_at == time(20) and Venue.objects.get().opens_at == time(8)
    assert AuditEntry.objects.filter(action="services.venue_updated").count() == 1


@pytest.mark.django_db
def test_a_retired_venue_refuses_new_bookings_and_keeps_its_own(world, api, cat):
    kept = (
        api(world.owner)
        .post(
            f"/services/venues/{cat.venue.pk}/bookings", {"house_id": world.house.pk, "starts_at": _at(4, 10)}
        )
        .json()
    )
    r = api(world.staff).post(f"/services/venues/{cat.venue.pk}/retire")
    assert r.status_code == 200 and r.json()["active"] is False
    assert (
        api(world.staff).post(f"/services/venues/{cat.venue.pk}/retire").json()["code"] == "already_retired"
    )
    assert api(world.owner).get("/services/my/venues").json() == []
    r = api(world.owner).post(
        f"/services/venues/{cat.venue.pk}/bookings", {"house_id": world.house.pk, "starts_at": _at(5, 10)}
    )
    assert r.status_code == 404  # not listed to residents any more
    r = api(world.front_desk).post(
        f"/services/venues/{cat.venue.pk}/bookings", {"house_id": world.house.pk, "starts_at": _at(5, 10)}
    )
    assert r.status_code == 409 and r.json()["code"] == "venue_closed"
    assert [b["id"] for b in api(world.owner).get("/services/my/venue-bookings").json()] == [kept["id"]]
    assert (
        api(world.owner).post(f"/services/venue-bookings/{kept['id']}/cancel").json()["status"] == "cancelled"
    )
    assert api(world.staff).post(f"/services/venues/{cat.venue.pk}/reopen").json()["active"] is True
    assert api(world.staff).post(f"/services/venues/{cat.venue.pk}/reopen").json()["code"] == "not_retired"


# --- provider logins ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_link_a_login_by_phone_and_unlink_it(world, api, cat):
    login = f.user("ayi", phone="13700000007", display_name="张阿姨")
    url = f"/services/providers/{cat.provider.pk}/staff"
    r = api(world.staff).post(f"{url}/by-phone", {"phone": "137 0000 0007"})
    assert r.status_code == 201, r.json()
    assert r.json() == {
        "provider_id": cat.provider.pk,
        "user_id": login.pk,
        "name": "张*姨",
        "phone": "137****0007",
    }
    again = api(world.staff).post(f"{url}/by-phone", {"phone": "13700000007"})
    assert again.status_code == 409 and again.json()["code"] == "already_staff"
    r = api(world.staff).post(f"{url}/by-phone", {"phone": "13700000008"})
    assert r.status_code == 404 and r.json()["code"] == "not_found" and "phone" in r.json()["fields"]
    r = api(world.staff).post(f"{url}/by-phone", {"phone": "12345"})
    assert r.status_code == 400 and r.json()["code"] == "invalid_phone"

    listed = api(world.staff).get(url).json()
    assert {row["user_id"] for row in listed} == {cat.provider_user.pk, login.pk}
    assert "13700000007" not in str(listed) and "张阿姨" not in str(listed)
    # The new login sees the provider's bookings; once unlinked, nothing.
    _book(api, world.owner, cat, world.house)
    assert len(api(login).get("/services/provider/bookings").json()) == 1
    assert api(world.staff).delete(f"{url}/{login.pk}").status_code == 204
    assert api(login).get("/services/provider/bookings").json() == []
    r = api(world.staff).delete(f"{url}/{login.pk}")
    assert r.status_code == 404
    assert not ProviderStaff.objects.filter(user=login).exists()
    entry = AuditEntry.objects.get(action="services.provider_staff_removed")
    assert entry.after == {"user_id": login.pk}


# --- who may not ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["owner", "front_desk", "technician", "outsider"])
def test_only_staff_holding_services_manage_edit_and_retire(world, api, cat, who):
    user = getattr(world, who)
    login = f.user("ayi", phone="13700000007")
    calls = [
        ("patch", f"/services/offerings/{cat.offering.pk}", {"title": "改"}),
        ("post", f"/services/offerings/{cat.offering.pk}/retire", {}),
        ("post", f"/services/offerings/{cat.offering.pk}/reopen", {}),
        ("patch", f"/services/slots/{cat.slot.pk}", {"capacity": 9}),
        ("post", f"/services/slots/{cat.slot.pk}/retire", {}),
        ("post", f"/services/slots/{cat.slot.pk}/reopen", {}),
        ("patch", f"/services/venues/{cat.venue.pk}", {"max_per_week": 9}),
        ("post", f"/services/venues/{cat.venue.pk}/retire", {}),
        ("post", f"/services/venues/{cat.venue.pk}/reopen", {}),
        ("post", f"/services/providers/{cat.provider.pk}/staff/by-phone", {"phone": "13700000007"}),
        ("delete", f"/services/providers/{cat.provider.pk}/staff/{cat.provider_user.pk}", None),
    ]
    client = api(user)
    before = AuditEntry.objects.count()
    for method, url, body in calls:
        r = getattr(client, method)(url) if body is None else getattr(client, method)(url, body)
        assert r.status_code in (403, 404), f"{who}: {method} {url} → {r.status_code}"
    assert AuditEntry.objects.count() == before
    offering, slot, venue = ServiceOffering.objects.get(), ServiceSlot.objects.get(), Venue.objects.get()
    assert offering.title == "日常保洁2小时" and offering.active and slot.capacity == 2 and slot.active
    assert venue.max_per_week == 2 and venue.active
    assert set(ProviderStaff.objects.values_list("user_id", flat=True)) == {cat.provider_user.pk}
    assert not ProviderStaff.objects.filter(user=login).exists()


@pytest.mark.django_db
def test_the_provider_login_itself_may_not_edit_its_catalogue(world, api, cat):
    client = api(cat.provider_user)
    assert client.patch(f"/services/offerings/{cat.offering.pk}", {"title": "改"}).status_code == 404
    assert client.post(f"/services/slots/{cat.slot.pk}/retire").status_code == 404
    assert client.get(f"/services/providers/{cat.provider.pk}/staff").status_code == 404


@pytest.mark.django_db
def test_a_booking_meets_a_raised_capacity_made_before_its_day_existed(world, cat):
    """The day is created on first booking with the slot's capacity as it is then."""
    from linli.services.services import providers

    providers.do_update_slot(actor=world.staff, slot=cat.slot, capacity=1)
    booking = bookings.do_book_service(
        actor=world.owner,
        offering=cat.offering,
        slot_id=cat.slot.pk,
        on=next_weekday(2),
        house_id=world.house.pk,
    )
    assert booking.slot_day.capacity == 1
