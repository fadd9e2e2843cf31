"""In a real browser (Debian's chromium via Playwright) against a live server: a resident books
a cleaning and a venue slot on the phone page; the provider's login confirms the booking.

    .venv/bin/python -m pytest linli/services/tests/test_e2e.py -m e2e
"""

import os

import pytest

from linli.engage.tests.test_notices_e2e import chromium, playwright_browser, signed_in  # noqa: F401  (fixtures)
from linli.services.models import ServiceBooking, VenueBooking
from linli.testing.services import catalogue, next_weekday

pytestmark = pytest.mark.e2e
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_a_resident_books_and_the_provider_confirms(transactional_db, live_server, world, chromium):  # noqa: F811
    cat = catalogue(world)
    resident = signed_in(chromium, live_server, world.owner)
    resident.goto(f"{live_server.url}/life/")
    offering = resident.locator("#offerings li").filter(has_text="日常保洁2小时")
    offering.locator("input[type=date]").fill(next_weekday(2).isoformat())
    offering.get_by_role("button", name="预约").click()
    resident.get_by_text("预约已提交，等待服务商确认").wait_for()
    booking = ServiceBooking.objects.get()
    assert booking.house == world.house and booking.status == "requested"

    venue = resident.locator("#venues li").filter(has_text="活动室")
    venue.locator("input[type=datetime-local]").fill(f"{next_weekday(4).isoformat()}T10:00")
    venue.get_by_role("button", name="预订").click()
    resident.get_by_text("场地已预订").wait_for()
    assert VenueBooking.objects.filter(house=world.house).count() == 1

    provider = signed_in(chromium, live_server, cat.provider_user)
    provider.goto(f"{live_server.url}/life/provider/")
    provider.get_by_role("button", name="确认").click()
    provider.get_by_text("已确认").first.wait_for()
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert not resident.errors and not provider.errors
