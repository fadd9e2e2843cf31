"""The parking pages as the personas: the resident's H5 (search, book, cancel) and the console."""

from datetime import timedelta

from django.utils import timezone

from linli.parking.models import ParkingPass, SharedBooking
from linli.parking.windows import TZ
from linli.testing.parking import next_monday


def local(moment) -> str:
    return moment.astimezone(TZ).strftime("%Y-%m-%dT%H:%M")


def test_a_resident_finds_books_and_cancels_a_space_on_the_pages(world, browser, garage):
    owner = browser(world.owner)
    monday = next_monday(timezone.now())
    start, end = monday + timedelta(hours=20), monday + timedelta(hours=23)
    found = owner.get("/parking/", {"start": local(start), "end": local(end)})
    assert found.status_code == 200 and "空闲 3 个" in found.content.decode()
    page = owner.get(f"/parking/offers/{garage.offer.pk}/")
    assert page.status_code == 200 and garage.offer.title in page.content.decode()
    r = owner.post(
        f"/parking/offers/{garage.offer.pk}/", {"start": local(start), "end": local(end), "plate": "京A12345"}
    )
    assert r.status_code == 302 and r.url == "/parking/bookings/"
    booking = SharedBooking.objects.get()
    assert (booking.start_at, booking.booker) == (start, world.owner)
    # out of the window: the form says why, nothing is written
    r = owner.post(
        f"/parking/offers/{garage.offer.pk}/",
        {
            "start": local(monday + timedelta(hours=10)),
            "end": local(monday + timedelta(hours=11)),
            "plate": "京A12345",
        },
        follow=True,
    )
    assert "预约时间不在共享时段内" in r.content.decode()
    assert SharedBooking.objects.count() == 1
    mine = owner.get("/parking/bookings/").content.decode()
    assert "京A12345" in mine
    assert browser(world.neighbour).post("/parking/bookings/", {"booking": booking.pk}).status_code == 404
    owner.post("/parking/bookings/", {"booking": booking.pk})
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_the_console_pages_open_by_role(world, browser, garage):
    monday = next_monday(timezone.now())
    garage_booking = {
        "start": local(monday + timedelta(hours=20)),
        "end": local(monday + timedelta(hours=22)),
    }
    browser(world.owner).post(f"/parking/offers/{garage.offer.pk}/", {**garage_booking, "plate": "京A12345"})
    for user in (world.staff, world.front_desk):
        client = browser(user)
        offers = client.get(f"/parking/staff/{world.a.id}/offers/")
        assert offers.status_code == 200 and garage.offer.title in offers.content.decode()
        bookings = client.get(f"/parking/staff/{world.a.id}/bookings/").content.decode()
        assert "京A***45" in bookings and "京A12345" not in bookings
    assert browser(world.technician).get(f"/parking/staff/{world.a.id}/offers/").status_code in (403, 404)
    assert browser(world.outsider).get(f"/parking/staff/{world.a.id}/offers/").status_code == 404


def test_the_counter_issues_and_takes_payment_for_a_pass_and_the_household_renews(world, browser):
    staff = browser(world.staff)
    url = f"/parking/staff/{world.a.id}/passes/"
    form = {
        "house": world.house.label,
        "person": world.owner_person.name,
        "plate": "京A12345",
        "period": "monthly",
        "valid_from": timezone.localdate().isoformat(),
        "fee_yuan": "300.00",
    }
    assert staff.post(url, {**form, "person": "不存在"}).status_code == 200  # the form says why
    assert staff.post(url, form).status_code == 302
    parking_pass = ParkingPass.objects.get()
    assert (parking_pass.fee_fen, parking_pass.status) == (30000, "unpaid")
    assert browser(world.front_desk).get(url).status_code == 200
    assert (
        browser(world.front_desk).post(url, {"parking_pass": parking_pass.pk}).status_code == 200
    )  # view only
    staff.post(url, {"parking_pass": parking_pass.pk, "action": "pay"})
    parking_pass.refresh_from_db()
    assert parking_pass.status == "active"
    owner = browser(world.owner)
    assert "京A12345" in owner.get("/parking/passes/").content.decode()
    owner.post("/parking/passes/", {"parking_pass": parking_pass.pk})
    assert ParkingPass.objects.count() == 2
    assert (
        browser(world.neighbour).post("/parking/passes/", {"parking_pass": parking_pass.pk}).status_code
        == 404
    )
