"""The pages: the resident books a service and a venue and opts in to recommendations; the
provider's login confirms and completes; the console lists bookings, providers and the venue
calendar, with names masked; the outsider's console 404s."""

import pytest

from linli.services.models import RecommendationConsent, ServiceBooking, VenueBooking
from linli.services.services import bookings
from linli.testing.services import next_weekday


@pytest.mark.django_db
def test_the_resident_books_from_the_page(world, browser, cat):
    page = browser(world.owner)
    r = page.get("/life/")
    assert r.status_code == 200 and "日常保洁2小时" in r.text and "活动室" in r.text
    r = page.post(
        "/life/",
        {
            "action": "book",
            "offering_id": cat.offering.pk,
            "slot_id": cat.slot.pk,
            "date": next_weekday(2).isoformat(),
        },
    )
    assert r.status_code == 302 and ServiceBooking.objects.filter(house=world.house).count() == 1
    day = next_weekday(4).isoformat()
    page.post(
        "/life/", {"action": "book_venue", "venue_id": cat.venue.pk, "starts": f"{day}T10:00", "slots": "1"}
    )
    assert VenueBooking.objects.filter(house=world.house).count() == 1
    page.post(
        "/life/", {"action": "book_venue", "venue_id": cat.venue.pk, "starts": f"{day}T10:00", "slots": "1"}
    )
    assert "该时段已被预订" in page.get("/life/").text  # the refusal, shown as a message
    page.post("/life/", {"action": "opt_in"})
    assert RecommendationConsent.objects.filter(house=world.house).exists()
    assert "关闭个性化推荐" in page.get("/life/").text
    assert page.post("/life/", {"action": "book", "offering_id": "999999"}).status_code == 404


@pytest.mark.django_db
def test_the_provider_confirms_and_completes(world, browser, cat):
    booking = bookings.do_book_service(
        actor=world.owner,
        offering=cat.offering,
        slot_id=cat.slot.pk,
        on=next_weekday(2),
        house_id=world.house.pk,
    )
    page = browser(cat.provider_user)
    assert "王建国" not in page.get("/life/provider/").text
    page.post("/life/provider/", {"action": "confirm", "booking_id": booking.pk})
    page.post("/life/provider/", {"action": "complete", "booking_id": booking.pk, "fee_fen": "12000"})
    booking.refresh_from_db()
    assert booking.status == "completed" and booking.fee_fen == 12000 and booking.paid_on_site
    # Someone else's provider page shows nothing and may not act.
    assert (
        browser(world.neighbour)
        .post("/life/provider/", {"action": "confirm", "booking_id": booking.pk})
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_the_console_pages(world, browser, cat):
    bookings.do_book_service(
        actor=world.owner,
        offering=cat.offering,
        slot_id=cat.slot.pk,
        on=next_weekday(2),
        house_id=world.house.pk,
    )
    staff = browser(world.front_desk)
    for name in ("bookings", "providers", "venues"):
        r = staff.get(f"/life/staff/{world.a.pk}/{name}/")
        assert r.status_code == 200, name
        assert "王建国" not in r.text
    assert "日常保洁2小时" in staff.get(f"/life/staff/{world.a.pk}/bookings/").text
    assert browser(world.outsider).get(f"/life/staff/{world.a.pk}/bookings/").status_code == 404
    assert browser(world.technician).get(f"/life/staff/{world.a.pk}/bookings/").status_code == 404


@pytest.mark.django_db
def test_the_counter_books_for_a_resident_and_staff_take_the_deposit(world, browser, cat):
    from datetime import datetime, time

    from django.utils import timezone

    from linli.services.services import venues

    desk = browser(world.front_desk)
    url = f"/life/staff/{world.a.pk}/bookings/"
    page = desk.get(url, {"house": world.house.label})
    assert page.status_code == 200 and "王*国" in page.text and "王建国" not in page.text
    r = desk.post(
        url,
        {
            "house_id": world.house.pk,
            "person_id": world.owner_person.pk,
            "slot": f"{cat.offering.pk}:{cat.slot.pk}",
            "date": next_weekday(2).isoformat(),
        },
    )
    assert r.status_code == 302
    booking = ServiceBooking.objects.get()
    assert (
        booking.on_behalf and booking.booked_by == world.front_desk and booking.person == world.owner_person
    )
    # A technician has no services.view; the outsider's console has no community A.
    assert (
        browser(world.technician).post(url, {"slot": f"{cat.offering.pk}:{cat.slot.pk}"}).status_code == 404
    )

    held = venues.do_book_venue(
        actor=world.owner,
        venue=venues.do_create_venue(
            actor=world.staff,
            community_id=world.a.pk,
            name="球场",
            kind="court",
            opens_at=time(8),
            closes_at=time(20),
            deposit_fen=5000,
        ),
        house_id=world.house.pk,
        starts_at=timezone.make_aware(datetime.combine(next_weekday(1), time(9))),
    )
    venues_url = f"/life/staff/{world.a.pk}/venues/"
    assert "收押金" not in desk.get(venues_url).text  # the counter does not hold deposits
    manager = browser(world.staff)
    assert "收押金" in manager.get(venues_url).text
    manager.post(venues_url, {"booking_id": held.pk, "step": "hold"})
    held.refresh_from_db()
    assert held.deposit_status == "held"


@pytest.mark.django_db
def test_staff_set_up_links_and_rules_on_the_page(world, browser):
    from linli.services.models import HealthLink, RecommendationRule

    url = f"/life/staff/{world.a.pk}/providers/"
    manager = browser(world.staff)
    manager.post(url, {"action": "add_link", "name": "社区医院", "url": "http://example.org"})
    assert not HealthLink.objects.exists() and "仅支持 https 链接" in manager.get(url).text
    manager.post(url, {"action": "add_link", "name": "社区医院", "url": "https://example.org"})
    manager.post(
        url, {"action": "add_rule", "condition": "child_under_6", "category": "childcare", "reason": "有幼儿"}
    )
    rule = RecommendationRule.objects.get()
    manager.post(url, {"action": "toggle_rule", "rule_id": rule.pk})
    rule.refresh_from_db()
    assert HealthLink.objects.count() == 1 and not rule.active
    # The counter sees the page but its forms change nothing.
    desk = browser(world.front_desk)
    assert 'id="new-rule"' not in desk.get(url).text
    desk.post(url, {"action": "toggle_rule", "rule_id": rule.pk})
    rule.refresh_from_db()
    assert not rule.active


@pytest.mark.django_db
def test_a_resident_of_two_homes_chooses_the_household(world, browser, cat):
    from linli.testing import factories as f

    second = f.house(world.house.unit, "501", floor=5)
    f.occupy(second, world.owner_person, "owner")
    page = browser(world.owner)
    assert second.label in page.get("/life/").text
    page.post("/life/", {"house": second.pk, "action": "opt_in"})
    assert RecommendationConsent.objects.get().house == second


@pytest.mark.django_db
def test_staff_set_up_a_provider_and_its_catalogue_on_the_page(world, browser):
    from datetime import timedelta

    from django.utils import timezone

    from linli.registry.models import Organization
    from linli.services.models import Provider, ServiceOffering

    org = Organization.objects.create(community=world.a, kind="social", name="夕阳红")
    url = f"/life/staff/{world.a.pk}/providers/"
    manager = browser(world.staff)
    assert "夕阳红" in manager.get(url).text
    manager.post(url, {"action": "add_provider", "organization_id": org.pk})
    provider = Provider.objects.get()
    until = (timezone.localdate() + timedelta(days=100)).isoformat()
    manager.post(
        url,
        {
            "action": "licence",
            "provider_id": provider.pk,
            "licence_number": "YL-9",
            "licence_kind": "备案",
            "valid_until": until,
        },
    )
    provider.refresh_from_db()
    assert provider.is_vetted()
    manager.post(
        url,
        {
            "action": "add_offering",
            "provider_id": provider.pk,
            "category": "elderly_meals",
            "title": "助餐",
            "price_fen": "",
        },
    )
    offering = ServiceOffering.objects.get()
    assert offering.price_fen is None and offering.duration_minutes == 60
    manager.post(
        url,
        {
            "action": "add_slot",
            "offering_id": offering.pk,
            "weekday": "0",
            "start_time": "11:00",
            "capacity": "20",
        },
    )
    assert offering.slots.get().capacity == 20
    assert (
        browser(world.front_desk).post(url, {"action": "add_provider", "organization_id": org.pk}).status_code
        == 200
    )
    assert Provider.objects.count() == 1  # the counter's post changed nothing


@pytest.mark.django_db
def test_staff_add_a_venue_on_the_page(world, browser):
    from linli.services.models import Venue

    url = f"/life/staff/{world.a.pk}/venues/"
    body = {
        "action": "add_venue",
        "name": "篮球场",
        "kind": "court",
        "opens_at": "06:00",
        "closes_at": "22:00",
    }
    browser(world.staff).post(url, {**body, "owners_only": "on", "deposit_fen": "5000"})
    venue = Venue.objects.get()
    assert venue.owners_only and venue.deposit_fen == 5000 and venue.slot_minutes == 60
    browser(world.staff).post(url, {**body, "closes_at": "06:30"})
    assert Venue.objects.count() == 1  # bad_hours, shown as a message
    browser(world.front_desk).post(url, body)
    assert Venue.objects.count() == 1
