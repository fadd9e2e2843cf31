"""Venue bookings: whole slots inside the opening hours, no double booking, the weekly limit
per household, owners-only venues, deposits held and returned by staff."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from linli.services.models import VenueBooking
from linli.services.services import venues
from linli.testing.engage_surveys import refused
from linli.testing.services import next_weekday


def at(day, hour: int, minute: int = 0) -> str:
    return timezone.make_aware(datetime.combine(day, time(hour, minute))).isoformat()


def _book(api, user, venue, house, starts_at, slots=1):
    return api(user).post(
        f"/services/venues/{venue.pk}/bookings",
        {"house_id": house.pk, "starts_at": starts_at, "slots": slots},
    )


@pytest.mark.django_db
def test_no_double_booking_and_whole_slots_only(world, api, cat):
    day = next_weekday(3)
    r = _book(api, world.owner, cat.venue, world.house, at(day, 10), slots=2)
    assert r.status_code == 201, r.json()
    assert r.json()["ends_at"].startswith(f"{day.isoformat()}T12:00")
    for start, slots in ((at(day, 11), 1), (at(day, 9), 2), (at(day, 10), 1)):
        r = _book(api, world.neighbour, cat.venue, world.neighbour_house, start, slots)
        assert r.status_code == 409 and r.json()["code"] == "venue_slot_taken", (start, r.json())
    assert (
        _book(api, world.neighbour, cat.venue, world.neighbour_house, at(day, 12)).status_code == 201
    )  # adjacent
    for start, slots in ((at(day, 12, 30), 1), (at(day, 7), 1), (at(day, 19), 2)):
        assert _book(api, world.neighbour, cat.venue, world.neighbour_house, start, slots).json()["code"] == (
            "venue_closed"
        )
    past = at(timezone.localdate() - timedelta(days=1), 10)
    assert _book(api, world.owner, cat.venue, world.house, past).json()["code"] == "booking_in_past"
    # The resident sees when it is taken, not by whom.
    taken = api(world.tenant).get(f"/services/venues/{cat.venue.pk}/taken").json()
    assert len(taken) == 2 and set(taken[0]) == {"starts_at", "ends_at"}


@pytest.mark.django_db
def test_weekly_limit_per_household(world, api, cat):
    monday = next_weekday(0)
    assert cat.venue.max_per_week == 2
    assert _book(api, world.owner, cat.venue, world.house, at(monday, 9)).status_code == 201
    assert (
        _book(api, world.tenant, cat.venue, world.house, at(monday + timedelta(days=6), 9)).status_code == 201
    )
    r = _book(api, world.owner, cat.venue, world.house, at(monday + timedelta(days=2), 9))
    assert r.status_code == 409 and r.json()["code"] == "venue_weekly_limit"
    # Next week counts afresh; a cancelled booking gives its turn back.
    assert (
        _book(api, world.owner, cat.venue, world.house, at(monday + timedelta(days=7), 9)).status_code == 201
    )
    first = VenueBooking.objects.order_by("starts_at").first()
    assert (
        api(world.owner).post(f"/services/venue-bookings/{first.pk}/cancel").json()["status"] == "cancelled"
    )
    assert (
        _book(api, world.owner, cat.venue, world.house, at(monday + timedelta(days=2), 9)).status_code == 201
    )


@pytest.mark.django_db
def test_owners_only_venue(world, api):
    court = venues.do_create_venue(
        actor=world.staff,
        community_id=world.a.pk,
        name="网球场",
        kind="court",
        opens_at=time(6),
        closes_at=time(22),
        owners_only=True,
        deposit_fen=10000,
    )
    day = next_weekday(5)
    r = _book(api, world.tenant, court, world.house, at(day, 8))
    assert r.status_code == 403 and r.json()["code"] == "venue_not_for_you"
    r = _book(api, world.owner, court, world.house, at(day, 8))
    assert r.status_code == 201 and r.json()["deposit_status"] == "due" and r.json()["deposit_fen"] == 10000
    booking_id = r.json()["id"]
    deposit = f"/services/venue-bookings/{booking_id}/deposit"
    assert api(world.front_desk).post(deposit, {"step": "hold"}).status_code == 403  # services.manage only
    assert api(world.owner).post(deposit, {"step": "hold"}).status_code == 404
    assert api(world.staff).post(deposit, {"step": "return"}).json()["code"] == "bad_deposit_step"
    assert api(world.staff).post(deposit, {"step": "hold"}).json()["deposit_status"] == "held"
    assert api(world.staff).post(deposit, {"step": "return"}).json()["deposit_status"] == "returned"
    # 代办: the front desk books for a household (owners-only is the counter's judgement).
    r = _book(api, world.front_desk, court, world.neighbour_house, at(day, 10))
    assert r.status_code == 201
    assert (
        api(world.outsider)
        .post(
            f"/services/venues/{court.pk}/bookings", {"house_id": world.house_b.pk, "starts_at": at(day, 12)}
        )
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_venue_set_up_refusals(world):
    refused(
        "bad_hours",
        venues.do_create_venue,
        actor=world.staff,
        community_id=world.a.pk,
        name="会议室",
        kind="meeting_room",
        opens_at=time(8),
        closes_at=time(9, 30),
    )
    refused(
        "forbidden",
        venues.do_create_venue,
        actor=world.front_desk,
        community_id=world.a.pk,
        name="会议室",
        kind="meeting_room",
        opens_at=time(8),
        closes_at=time(9),
    )
