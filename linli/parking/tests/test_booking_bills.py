"""A resident's shared booking is billed to their house where the community bills temporary
parking in the app: the fee at booking, the share kept by a late cancellation, an overstay when
the car leaves; a paid bill stays when the booking is cancelled; an outside driver's booking has
no house to bill."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.billing.choices import Channel
from linli.billing.models import Bill
from linli.billing.services import counter
from linli.parking.charges import SOURCE_BOOKING, SOURCE_OVERSTAY
from linli.parking.models import SharedBooking
from linli.testing.access import install
from linli.testing.parking import next_monday, temporary_tariff


@pytest.fixture
def tariff(world):
    return temporary_tariff(world.a)


def book(api, user, offer, start, end, plate="京A12345"):
    r = api(user).post(
        f"/parking/offers/{offer.pk}/bookings",
        {"start_at": start.isoformat(), "end_at": end.isoformat(), "plate": plate},
    )
    assert r.status_code == 201, r.content
    return SharedBooking.objects.get(pk=r.json()["id"])


def live(source: str, booking) -> list[tuple[int, str]]:
    return list(
        Bill.objects.filter(source=source, source_id=booking.pk)
        .order_by("id")
        .values_list("amount_fen", "status")
    )


def test_the_fee_is_a_bill_of_the_house_and_a_late_cancellation_bills_the_kept_share(
    world, api, garage, tariff, clock
):
    monday = next_monday(timezone.now())
    booking = book(api, world.owner, garage.offer, monday + timedelta(hours=20), monday + timedelta(hours=22))
    bill = Bill.objects.get(source=SOURCE_BOOKING, source_id=booking.pk)
    assert (bill.house_id, bill.amount_fen, bill.status) == (world.house.pk, 1000, "unpaid")
    clock.set(monday + timedelta(hours=19))  # within the 2 hours: half is kept
    api(world.owner).post(f"/parking/bookings/{booking.pk}/cancel")
    assert live(SOURCE_BOOKING, booking) == [(1000, "void"), (500, "unpaid")]


def test_an_early_cancellation_voids_the_bill_and_a_paid_one_stays_for_its_refund(world, api, garage, tariff):
    monday = next_monday(timezone.now())
    free = book(api, world.owner, garage.offer, monday + timedelta(hours=20), monday + timedelta(hours=22))
    api(world.owner).post(f"/parking/bookings/{free.pk}/cancel")
    assert live(SOURCE_BOOKING, free) == [(1000, "void")]

    paid = book(api, world.owner, garage.offer, monday + timedelta(hours=44), monday + timedelta(hours=46))
    bill = Bill.objects.get(source=SOURCE_BOOKING, source_id=paid.pk)
    counter.do_take_counter_payment(
        actor=world.front_desk,
        house=world.house,
        channel=Channel.CASH,
        amount_fen=1000,
        idempotency_key="booking-bill",
        bill_ids=[bill.pk],
    )
    r = api(world.owner).post(f"/parking/bookings/{paid.pk}/cancel").json()
    assert r["refund_fen"] == 1000  # recorded for staff to refund through billing
    assert live(SOURCE_BOOKING, paid) == [(1000, "paid")]


def test_an_overstay_is_billed_to_the_house_when_the_car_leaves(world, api, garage, tariff, clock):
    site = install(world)
    monday = next_monday(timezone.now())
    booking = book(api, world.owner, garage.offer, monday + timedelta(hours=20), monday + timedelta(hours=32))
    clock.set(monday + timedelta(hours=20))
    token = site.token("barrier")
    assert api(token=token).post("/access/plate-events", {"plate": "京A12345"}).json()["allow"]
    clock.set(monday + timedelta(hours=33, minutes=5))  # booked until 08:00, out at 09:05: two hours
    out = api(token=site.token("barrier_out")).post("/access/plate-events", {"plate": "京A12345"}).json()
    assert out["allow"] and out["detail"]["overstay_fen"] == 2000  # a booked car is never held
    bill = Bill.objects.get(source=SOURCE_OVERSTAY, source_id=booking.pk)
    assert (bill.house_id, bill.amount_fen) == (world.house.pk, 2000)


def test_an_outside_drivers_booking_has_no_house_to_bill(world, api, garage, tariff):
    monday = next_monday(timezone.now())
    booking = book(api, world.staff, garage.offer, monday + timedelta(hours=20), monday + timedelta(hours=22))
    assert booking.house_id is None and not Bill.objects.filter(source=SOURCE_BOOKING).exists()


def test_without_the_fee_item_nothing_is_billed(world, api, garage):
    monday = next_monday(timezone.now())
    book(api, world.owner, garage.offer, monday + timedelta(hours=20), monday + timedelta(hours=22))
    assert not Bill.objects.exists()
