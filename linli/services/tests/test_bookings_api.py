"""Service bookings through the API with the personas: a resident books, the provider confirms
and completes (fee paid on site), the household rates once; refusals with their codes; another
provider's login cannot see or touch the booking; staff book for an elderly resident (代办)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.core.models import AuditEntry
from linli.notify.models import Notification
from linli.registry.models import Organization
from linli.services.models import Provider, ServiceBooking, SlotDay
from linli.testing import factories as f
from linli.testing.services import catalogue, next_weekday


def _book(api, user, cat, house, *, on=None, slot=None):
    on = on or next_weekday(2)
    return api(user).post(
        f"/services/offerings/{cat.offering.pk}/bookings",
        {
            "slot_id": (slot or cat.slot).pk,
            "date": on.isoformat(),
            "house_id": house.pk,
            "note": "请带清洁剂",
        },
    )


@pytest.mark.django_db
def test_it_books_confirms_completes_and_rates(world, api, cat):
    listed = api(world.owner).get("/services/my/offerings").json()
    assert [o["title"] for o in listed] == ["日常保洁2小时"] and listed[0]["slots"][0]["capacity"] == 2
    r = _book(api, world.owner, cat, world.house)
    assert r.status_code == 201, r.json()
    booking = r.json()
    assert (
        booking["status"] == "requested" and booking["person_name"] == "王建国" and not booking["on_behalf"]
    )
    # The tenant lives there too: the household's bookings are theirs to see.
    assert [b["id"] for b in api(world.tenant).get("/services/my/bookings").json()] == [booking["id"]]
    assert api(world.neighbour).get("/services/my/bookings").json() == []

    provider = api(cat.provider_user)
    seen = provider.get("/services/provider/bookings").json()
    assert [b["id"] for b in seen] == [booking["id"]] and seen[0]["person_name"] != "王建国"  # masked
    assert api(world.owner).post(f"/services/bookings/{booking['id']}/rating", {"stars": 5}).json()[
        "code"
    ] == ("not_completed")
    r = provider.post(f"/services/bookings/{booking['id']}/complete", {"fee_fen": 12000})
    assert r.status_code == 409 and r.json()["code"] == "not_confirmed"
    assert provider.post(f"/services/bookings/{booking['id']}/confirm").json()["status"] == "confirmed"
    assert provider.post(f"/services/bookings/{booking['id']}/confirm").json()["code"] == "not_requested"
    assert Notification.objects.filter(recipient=world.owner, kind="services.booking").exists()
    done = provider.post(
        f"/services/bookings/{booking['id']}/complete", {"fee_fen": 15000, "paid_on_site": True}
    )
    assert (
        done.json()["status"] == "completed"
        and done.json()["fee_fen"] == 15000
        and done.json()["paid_on_site"]
    )

    rated = api(world.owner).post(
        f"/services/bookings/{booking['id']}/rating", {"stars": 4, "comment": "很干净"}
    )
    assert rated.json()["rating"] == 4 and rated.json()["rating_comment"] == "很干净"
    again = api(world.tenant).post(f"/services/bookings/{booking['id']}/rating", {"stars": 1})
    assert again.status_code == 409 and again.json()["code"] == "already_rated"
    assert (
        api(world.owner).post(f"/services/bookings/{booking['id']}/rating", {"stars": 6}).status_code == 422
    )
    assert (
        api(world.neighbour).post(f"/services/bookings/{booking['id']}/rating", {"stars": 1}).status_code
        == 404
    )


@pytest.mark.django_db
def test_another_providers_login_finds_nothing(world, api, cat):
    other = catalogue(world, name="好帮手维修")
    booking = _book(api, world.owner, cat, world.house).json()
    stranger = api(other.provider_user)
    assert stranger.get("/services/provider/bookings").json() == []
    for verb, body in (("confirm", {}), ("complete", {"fee_fen": 1})):
        r = stranger.post(f"/services/bookings/{booking['id']}/{verb}", body)
        assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert ServiceBooking.objects.get(pk=booking["id"]).status == "requested"
    # Residents and the outsider are no providers either.
    assert api(world.neighbour).post(f"/services/bookings/{booking['id']}/confirm").status_code == 404
    assert api(world.outsider).post(f"/services/bookings/{booking['id']}/confirm").status_code == 404


@pytest.mark.django_db
def test_refusals_leave_nothing_half_written(world, api, cat):
    on = next_weekday(2)
    wrong_day = on + timedelta(days=1)
    assert _book(api, world.owner, cat, world.house, on=wrong_day).json()["code"] == "bad_slot"
    r = _book(api, world.owner, cat, world.house, on=next_weekday(2, weeks=-1) - timedelta(days=7))
    assert r.status_code == 400 and r.json()["code"] == "booking_in_past"
    # Somebody else's house: staff-only (代办) path, so a resident is refused.
    assert _book(api, world.owner, cat, world.neighbour_house).status_code == 403
    assert _book(api, world.owner, cat, world.house_b).status_code == 404  # another community's house
    _book(api, world.owner, cat, world.house)
    _book(api, world.neighbour, cat, world.neighbour_house)
    r = _book(api, world.tenant, cat, world.house)
    assert r.status_code == 409 and r.json()["code"] == "slot_full"
    assert ServiceBooking.objects.count() == 2 and SlotDay.objects.get().taken == 2
    # An expired licence: the provider takes no bookings (and its offerings are not listed).
    Provider.objects.filter(pk=cat.provider.pk).update(
        licence_valid_until=timezone.localdate() - timedelta(days=1)
    )
    assert api(world.owner).get("/services/my/offerings").json() == []
    assert _book(api, world.owner, cat, world.house).status_code == 404


@pytest.mark.django_db
def test_an_unvetted_provider_takes_no_booking(world, cat):
    from linli.services.services import bookings, providers
    from linli.testing.engage_surveys import refused

    org = Organization.objects.create(community=world.a, kind="social", name="无证家政")
    unvetted = providers.do_register_provider(
        actor=world.staff, community_id=world.a.pk, organization_id=org.pk
    )
    offering = providers.do_create_offering(
        actor=world.staff, provider=unvetted, category="home_cleaning", title="保洁", duration_minutes=60
    )
    slot = providers.do_add_slot(
        actor=world.staff, offering=offering, weekday=2, start_time=cat.slot.start_time, capacity=1
    )
    refused(
        "provider_not_vetted",
        bookings.do_book_service,
        actor=world.owner,
        offering=offering,
        slot_id=slot.pk,
        on=next_weekday(2),
        house_id=world.house.pk,
    )
    refused(
        "licence_expired",
        providers.do_record_licence,
        actor=world.staff,
        provider=unvetted,
        licence_number="X",
        licence_kind="Y",
        valid_until=timezone.localdate() - timedelta(days=1),
    )


@pytest.mark.django_db
def test_cancel_frees_the_place_and_only_before_the_start(world, api, cat):
    booking = _book(api, world.owner, cat, world.house).json()
    assert api(world.neighbour).post(f"/services/bookings/{booking['id']}/cancel").status_code == 404
    assert (
        api(world.tenant).post(f"/services/bookings/{booking['id']}/cancel").json()["status"] == "cancelled"
    )
    assert SlotDay.objects.get().taken == 0
    r = api(world.owner).post(f"/services/bookings/{booking['id']}/cancel")
    assert r.status_code == 409 and r.json()["code"] == "not_cancellable"
    started = _book(api, world.owner, cat, world.house).json()
    ServiceBooking.objects.filter(pk=started["id"]).update(starts_at=timezone.now() - timedelta(minutes=1))
    assert (
        api(world.owner).post(f"/services/bookings/{started['id']}/cancel").json()["code"]
        == "booking_started"
    )


@pytest.mark.django_db
def test_staff_book_for_an_elderly_resident(world, api, cat):
    """代办: the front desk books for 王建国; the booking and the audit entry say who acted and
    for whom, and the household is told. A technician may not; the outsider finds nothing."""
    body = {
        "slot_id": cat.slot.pk,
        "date": next_weekday(2).isoformat(),
        "house_id": world.house.pk,
        "person_id": world.owner_person.pk,
    }
    path = f"/services/offerings/{cat.offering.pk}/bookings-for"
    assert api(world.technician).post(path, body).status_code == 404  # no services.view
    assert api(world.outsider).post(path, body).status_code == 404
    r = api(world.front_desk).post(path, {**body, "person_id": world.owner_person.pk + 999})
    assert r.json()["code"] == "not_in_household"
    r = api(world.front_desk).post(path, body)
    assert r.status_code == 201, r.json()
    booking = ServiceBooking.objects.get(pk=r.json()["id"])
    assert (
        booking.on_behalf and booking.booked_by == world.front_desk and booking.person == world.owner_person
    )
    entry = AuditEntry.objects.filter(action="services.booked").latest("id")
    assert entry.actor_id == world.front_desk.pk and "王建国" in entry.on_behalf_of
    assert Notification.objects.filter(recipient=world.owner, kind="services.booking").exists()
    # The household sees it among its own bookings and may cancel it itself.
    assert [b["on_behalf"] for b in api(world.owner).get("/services/my/bookings").json()] == [True]


@pytest.mark.django_db
def test_staff_set_up_the_catalogue(world, api):
    org = Organization.objects.create(community=world.a, kind="social", name="夕阳红养老服务中心")
    admin = api(world.staff)
    r = admin.post(f"/services/communities/{world.a.pk}/providers", {"organization_id": org.pk})
    assert r.status_code == 201 and not r.json()["vetted"]
    provider_id = r.json()["id"]
    again = admin.post(f"/services/communities/{world.a.pk}/providers", {"organization_id": org.pk})
    assert again.json()["code"] == "already_provider"
    until = (timezone.localdate() + timedelta(days=30)).isoformat()
    r = admin.post(
        f"/services/providers/{provider_id}/licence",
        {"licence_number": "YL-1", "licence_kind": "养老机构备案", "valid_until": until},
    )
    assert r.json()["vetted"]
    r = admin.post(
        f"/services/providers/{provider_id}/offerings",
        {"category": "elderly_care_visit", "title": "上门探访", "duration_minutes": 60},
    )
    assert r.status_code == 201 and r.json()["price_fen"] is None  # quoted on site
    slot = admin.post(
        f"/services/offerings/{r.json()['id']}/slots", {"weekday": 0, "start_time": "14:00", "capacity": 3}
    )
    assert slot.status_code == 201
    dup = admin.post(f"/services/offerings/{r.json()['id']}/slots", {"weekday": 0, "start_time": "14:00"})
    assert dup.json()["code"] == "slot_exists"
    user = f.user("carer")
    assert admin.post(f"/services/providers/{provider_id}/staff", {"user_id": user.pk}).status_code == 204
    # The front desk sees the catalogue but may not change it.
    assert api(world.front_desk).get(f"/services/communities/{world.a.pk}/providers").status_code == 200
    r = api(world.front_desk).post(
        f"/services/providers/{provider_id}/offerings", {"category": "class", "title": "x"}
    )
    assert r.status_code == 403


@pytest.mark.django_db
def test_lists_take_the_same_queries_for_one_or_many(world, api, cat, django_assert_max_num_queries):
    """Pinned: the resident's and the console's booking lists and the catalogue do not grow a
    query per row."""
    paths = (
        (world.owner, "/services/my/bookings"),
        (world.owner, "/services/my/offerings"),
        (world.staff, f"/services/communities/{world.a.pk}/bookings"),
        (cat.provider_user, "/services/provider/bookings"),
    )
    _book(api, world.owner, cat, world.house)
    counts = {}
    for user, path in paths:
        client = api(user)
        client.get(path)  # warm the session and the scope
        with django_assert_max_num_queries(50) as captured:
            client.get(path)
        counts[path] = len(captured.captured_queries)
    second = catalogue(world, name="第二家保洁")
    for weeks in range(3):
        _book(api, world.owner, second, world.house, on=next_weekday(2, weeks=weeks))
    for user, path in paths:
        client = api(user)
        client.get(path)
        with django_assert_max_num_queries(counts[path]):
            client.get(path)


@pytest.mark.django_db
def test_the_counter_meets_provider_not_vetted_when_the_licence_expired(world, api, cat):
    """Residents no longer see the offering (404); staff, who still see it, are told why."""
    Provider.objects.filter(pk=cat.provider.pk).update(
        licence_valid_until=timezone.localdate() - timedelta(days=1)
    )
    body = {
        "slot_id": cat.slot.pk,
        "date": next_weekday(2).isoformat(),
        "house_id": world.house.pk,
        "person_id": world.owner_person.pk,
    }
    r = api(world.front_desk).post(f"/services/offerings/{cat.offering.pk}/bookings-for", body)
    assert r.status_code == 409 and r.json()["code"] == "provider_not_vetted"
    assert not ServiceBooking.objects.exists() and not SlotDay.objects.exists()
    assert not api(world.staff).get(f"/services/communities/{world.a.pk}/providers").json()[0]["vetted"]
