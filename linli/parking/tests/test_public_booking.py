"""An office worker who does not live here books a space of an offer open to the public (seed
002: the community's spaces shared with office workers by day), signed in with their phone: the
space is held for 15 minutes while they pay online; paid, the barrier lets the car in for the
window; unpaid, the booking lapses and frees the space, and paying it then is refused."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from linli.billing.models import Bill
from linli.parking.charges import SOURCE_BOOKING
from linli.parking.models import SharedBooking
from linli.parking.services.booking import lapse_unpaid
from linli.testing import factories as f
from linli.testing.access import install
from linli.testing.parking import next_monday, temporary_tariff


@pytest.fixture
def driver():
    return f.user("office-worker", phone="13900001111")


@pytest.fixture
def public(garage):
    garage.offer.open_to_public = True
    garage.offer.save()
    return garage.offer


def book(api, user, offer, start, end, plate="沪A88888"):
    return api(user).post(
        f"/parking/offers/{offer.pk}/bookings",
        {"start_at": start.isoformat(), "end_at": end.isoformat(), "plate": plate},
    )


def test_a_driver_books_pays_and_the_barrier_lets_the_car_in(world, api, driver, public, clock):
    temporary_tariff(world.a)
    site = install(world)
    site.barrier.allow_temporary_parking = False
    site.barrier.save()
    assert public.pk in [o["id"] for o in api(driver).get("/parking/my/offers").json()]
    monday = next_monday(timezone.now())
    clock.set(monday + timedelta(hours=12))
    r = book(api, driver, public, monday + timedelta(hours=20), monday + timedelta(hours=22))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["pay_by"] is not None and body["fee_fen"] == 1000
    bill = Bill.objects.get(source=SOURCE_BOOKING, source_id=body["id"])
    assert (bill.house_id, bill.amount_fen, bill.status) == (None, 1000, "unpaid")

    order = api(driver).post(f"/parking/bookings/{body['id']}/pay", {"channel": "sandbox"})
    assert order.status_code == 201, order.content
    phone = Client()
    phone.force_login(driver)
    assert phone.post(order.json()["redirect_url"]).status_code == 302  # 确认支付 in the sandbox
    bill.refresh_from_db()
    assert bill.status == "paid"
    again = api(driver).post(f"/parking/bookings/{body['id']}/pay", {"channel": "sandbox"})
    assert (again.status_code, again.json()["code"]) == (409, "booking_not_payable")

    clock.set(monday + timedelta(hours=19, minutes=50))
    entry = api(token=site.token("barrier")).post("/access/plate-events", {"plate": "沪A88888"}).json()
    assert (entry["allow"], entry["reason"]) == (True, "shared_booking")
    assert lapse_unpaid(monday + timedelta(hours=19, minutes=51)) == 0  # paid: never lapses


def test_unpaid_it_does_not_open_the_barrier_and_lapses_freeing_the_space(world, api, driver, public, clock):
    temporary_tariff(world.a)
    site = install(world)
    site.barrier.allow_temporary_parking = False
    site.barrier.save()
    monday = next_monday(timezone.now())
    clock.set(monday + timedelta(hours=19, minutes=55))
    start, end = monday + timedelta(hours=20), monday + timedelta(hours=22)
    plates = ["沪A00001", "沪A00002", "沪A00003"]
    ids = [book(api, driver, public, start, end, p).json()["id"] for p in plates]
    assert book(api, world.owner, public, start, end).json()["code"] == "no_free_space"
    entry = api(token=site.token("barrier")).post("/access/plate-events", {"plate": "沪A00001"}).json()
    assert (entry["allow"], entry["reason"]) == (False, "no_temporary_parking")  # not paid: not in

    assert lapse_unpaid(monday + timedelta(hours=20, minutes=11)) == 3
    assert set(SharedBooking.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"cancelled"}
    assert set(Bill.objects.filter(source=SOURCE_BOOKING).values_list("status", flat=True)) == {"void"}
    clock.set(monday + timedelta(hours=20, minutes=12))
    late = api(driver).post(f"/parking/bookings/{ids[0]}/pay", {"channel": "sandbox"})
    assert (late.status_code, late.json()["code"]) == (409, "booking_expired")
    later = book(api, world.owner, public, monday + timedelta(hours=20, minutes=30), end)
    assert later.status_code == 201  # the space is free again


def test_an_offer_not_open_to_the_public_or_without_online_payment_refuses(world, api, driver, garage):
    monday = next_monday(timezone.now())
    start, end = monday + timedelta(hours=20), monday + timedelta(hours=22)
    r = book(api, driver, garage.offer, start, end)
    assert r.status_code == 404  # a driver does not even see an offer kept to residents
    garage.offer.open_to_public = True
    garage.offer.save()
    r = book(api, driver, garage.offer, start, end)
    assert (r.status_code, r.json()["code"]) == (409, "online_payment_unavailable")
    assert not SharedBooking.objects.exists()


def test_nobody_else_pays_or_sees_a_drivers_booking(world, api, driver, public):
    temporary_tariff(world.a)
    monday = next_monday(timezone.now())
    booking = book(api, driver, public, monday + timedelta(hours=20), monday + timedelta(hours=22)).json()
    for other in (world.owner, world.outsider):
        r = api(other).post(f"/parking/bookings/{booking['id']}/pay", {"channel": "sandbox"})
        assert r.status_code == 404
