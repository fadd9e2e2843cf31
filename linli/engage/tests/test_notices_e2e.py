"""In a real browser (Debian's chromium via Playwright) against a live server: staff compose a
must-confirm notice with the households it reaches, and a resident in elderly mode confirms it.

    .venv/bin/python -m pytest linli/engage/tests/test_notices_e2e.py -m e2e
"""

import os
from pathlib import Path

import pytest
from django.test import Client

from linli.engage.models import Notice, NoticeHousehold
from linli.web.tests.screenshots import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.e2e
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def playwright_browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium to run e2e tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def chromium(playwright_browser, transactional_db, live_server):
    yield playwright_browser
    for context in playwright_browser.contexts:
        context.close()


def signed_in(chromium, live_server, user, *, phone=True):
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = chromium.new_context(viewport=size, is_mobile=phone, locale="zh-CN")
    context.set_default_timeout(10_000)
    context.route("**/events/stream", lambda route: route.abort())
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    return page


def test_staff_compose_a_notice_and_a_resident_in_elderly_mode_confirms_it(
    transactional_db, live_server, world, chromium
):
    desk = signed_in(chromium, live_server, world.front_desk, phone=False)
    desk.goto(f"{live_server.url}/engage/staff/{world.a.id}/notices/")
    desk.locator("#compose").click()
    desk.get_by_label("标题").fill("明天上午停水")
    desk.get_by_label("内容").fill("明天9点到12点停水，请提前储水。")
    desk.get_by_label("楼栋").select_option(label="1号楼")
    desk.get_by_label("对象").select_option("owners")
    desk.get_by_text("将送达 2 户").wait_for()  # the preview follows the target
    desk.get_by_label("需要住户确认收到（如停水停电）").check()
    desk.locator("#publish").click()
    desk.get_by_text("已发布，送达 2 户").wait_for()
    notice = Notice.objects.get(title="明天上午停水")
    assert notice.audience == "owners" and notice.must_confirm

    world.owner.elderly_mode = True
    world.owner.save(update_fields=["elderly_mode"])
    resident = signed_in(chromium, live_server, world.owner)
    resident.goto(f"{live_server.url}/engage/notices/")
    resident.get_by_text("待确认").wait_for()
    resident.get_by_role("link", name="明天上午停水").click()
    size = resident.locator(".notice-body").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 20
    resident.get_by_role("button", name="我已知晓").click()
    resident.get_by_text("您家已确认收到此通知").wait_for()
    assert NoticeHousehold.objects.get(notice=notice, house=world.house).confirmed_by_id == world.owner.id

    desk.goto(f"{live_server.url}/engage/staff/{world.a.id}/notices/{notice.pk}/")
    assert "50%" in desk.locator("#rates").inner_text()
    row = desk.locator(f"tr[data-house='{world.neighbour_house.id}']")
    row.locator("select").select_option("phone")
    row.get_by_role("button", name="已告知").click()
    desk.get_by_text("已登记当面告知").wait_for()
    assert "100%" in desk.locator("#rates").inner_text()
    assert not desk.errors and not resident.errors
