"""In a real browser (Debian's chromium via Playwright) against a live server: a resident finds
the office block's garage open tonight, books it for their car and finds the booking among
theirs, then cancels it.

    .venv/bin/python -m pytest linli/parking/tests/test_booking_e2e.py -m e2e
"""

import os
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from linli.parking.models import SharedBooking
from linli.parking.windows import TZ
from linli.testing.parking import next_monday, office_block

pytestmark = pytest.mark.e2e
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def phone_of(chromium, live_server, user):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    context.set_default_timeout(10_000)
    context.route("**/events/stream", lambda route: route.abort())
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return context.new_page()


def local(moment) -> str:
    return moment.astimezone(TZ).strftime("%Y-%m-%dT%H:%M")


def test_a_resident_books_a_shared_space_and_cancels_it(transactional_db, live_server, world, chromium):
    garage = office_block(world)
    monday = next_monday(timezone.now())
    start, end = monday + timedelta(hours=20), monday + timedelta(hours=23)
    page = phone_of(chromium, live_server, world.owner)
    try:
        page.goto(f"{live_server.url}/parking/")
        page.locator("#search input[name=start]").fill(local(start))
        page.locator("#search input[name=end]").fill(local(end))
        page.get_by_role("button", name="查找空闲车位").click()
        found = page.locator("#results li", has_text=garage.offer.title)
        assert "空闲 3 个" in found.inner_text()
        found.get_by_role("link").click()
        page.locator("#book input[name=start]").fill(local(start))
        page.locator("#book input[name=end]").fill(local(end))
        page.locator("#book input[name=plate]").fill("京A12345")
        page.get_by_role("button", name="预约").click()
        page.wait_for_url("**/parking/bookings/")
        assert "预约成功" in page.locator("main").inner_text()
        assert "京A12345" in page.locator("#bookings").inner_text()
        page.locator("#bookings").get_by_role("button", name="取消").click()
        page.wait_for_url("**/parking/bookings/")
        assert "已取消预约" in page.locator("main").inner_text()
    finally:
        page.context.close()
    assert SharedBooking.objects.get().status == "cancelled"
