"""The barrier loop: a booked car enters in its window (15 minutes early at most) and its exit
is recorded with the overstay charged by the offer's rule; access asks parking through the
plate right parking registered."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.access.models import ParkingRecord
from linli.parking.models import SharedBooking
from linli.testing.access import install
from linli.testing.parking import next_monday


@pytest.fixture
def site(world):
    return install(world)


def plate(api, site, number, terminal="barrier"):
    r = api(token=site.token(terminal)).post("/access/plate-events", {"plate": number})
    assert r.status_code == 200, r.content
    return r.json()


def booked(api, world, garage, start, end, number="粤B12345"):
    r = api(world.owner).post(
        f"/parking/offers/{garage.offer.pk}/bookings",
        {"start_at": start.isoformat(), "end_at": end.isoformat(), "plate": number},
    )
    assert r.status_code == 201, r.content
    return SharedBooking.objects.get(pk=r.json()["id"])


def test_a_booked_car_enters_in_its_window_and_pays_its_overstay(world, api, site, garage, clock):
    site.barrier.allow_temporary_parking = False
    site.barrier.save()
    monday = next_monday(timezone.now())
    booking = booked(api, world, garage, monday + timedelta(hours=20), monday + timedelta(hours=32))
    clock.set(monday + timedelta(hours=19, minutes=40))  # 20 minutes early: not yet
    assert plate(api, site, "粤B12345")["reason"] == "no_temporary_parking"
    clock.set(monday + timedelta(hours=19, minutes=46))  # within the 15 minutes' slack
    entry = plate(api, site, "粤B12345")
    assert (entry["allow"], entry["reason"], entry["detail"]["booking"]) == (
        True,
        "shared_booking",
        booking.pk,
    )
    booking.refresh_from_db()
    assert booking.entered_at == monday + timedelta(hours=19, minutes=46)
    assert not ParkingRecord.objects.exists()
    clock.set(monday + timedelta(hours=33, minutes=5))  # booked until 08:00, out at 09:05
    leave = plate(api, site, "粤B12345", "barrier_out")
    assert (leave["allow"], leave["reason"], leave["detail"]["overstay_fen"]) == (
        True,
        "shared_booking",
        2000,
    )
    booking.refresh_from_db()
    assert (booking.status, booking.overstay_fen) == ("completed", 2000)
    # the booking is spent: the same car again is an ordinary car
    assert plate(api, site, "粤B12345")["reason"] == "no_temporary_parking"


@pytest.mark.parametrize("minutes_late, fee", [(0, 0), (10, 0), (15, 0), (20, 1000), (61, 2000)])
def test_overstay_follows_the_published_rule(world, api, site, garage, clock, minutes_late, fee):
    monday = next_monday(timezone.now())
    booked(api, world, garage, monday + timedelta(hours=20), monday + timedelta(hours=22))
    clock.set(monday + timedelta(hours=20))
    plate(api, site, "粤B12345")
    clock.set(monday + timedelta(hours=22, minutes=minutes_late))
    assert plate(api, site, "粤B12345", "barrier_out")["detail"]["overstay_fen"] == fee


def test_outside_its_window_a_booked_car_is_a_temporary_parker(world, api, site, garage, clock):
    monday = next_monday(timezone.now())
    booked(api, world, garage, monday + timedelta(hours=20), monday + timedelta(hours=22))
    clock.set(monday + timedelta(hours=22, minutes=1))  # the booking ended
    assert plate(api, site, "粤B12345")["reason"] == "temporary_parking"
    assert SharedBooking.objects.get().entered_at is None
