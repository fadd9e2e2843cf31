"""In a real browser (Debian's chromium via Playwright) against a live server: a resident in
elderly mode opens the catalogue, redeems an item and finds it among their redemptions.

    .venv/bin/python -m pytest linli/engage/tests/test_points_e2e.py -m e2e
"""

import os
from pathlib import Path

import pytest
from django.test import Client

from linli.engage.models import PointsAccount, Redemption
from linli.testing import engage_points as ep
from linli.web.tests.screenshots import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.e2e
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium to run e2e tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def phone_of(browser, live_server, user):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    context.set_default_timeout(10_000)
    context.route("**/events/stream", lambda route: route.abort())
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return context.new_page()


def test_a_resident_redeems_an_item_in_elderly_mode(transactional_db, live_server, world, browser):
    ep.give(world, world.house, 30, "a")
    ep.item(world, name="免费洗车一次", price=20, stock=1)
    world.owner.elderly_mode = True
    world.owner.save(update_fields=["elderly_mode"])
    page = phone_of(browser, live_server, world.owner)
    try:
        page.goto(f"{live_server.url}/engage/points/")
        assert "积分余额\n30\n" in page.locator("#balance").inner_text()
        size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert size >= 20, f"elderly mode body text is {size}px"
        page.get_by_role("link", name="兑换好礼").click()
        item = page.locator("#catalogue li", has_text="免费洗车一次")
        item.get_by_role("button", name="兑换").click()
        page.wait_for_url("**/engage/points/redemptions/")
        assert "兑换成功" in page.locator("main").inner_text()
        assert "免费洗车一次" in page.locator("#redemptions").inner_text()
    finally:
        page.context.close()
    assert Redemption.objects.get().status == "requested"
    assert PointsAccount.objects.get(house=world.house).balance == 10
