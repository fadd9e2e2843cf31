"""The parking pages as the personas: the resident's H5 (search, book, cancel) and the console."""

from datetime import timedelta

from django.utils import timezone

from linli.parking.models import SharedBooking
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
