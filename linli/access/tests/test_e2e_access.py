"""In a real browser (Debian's chromium via Playwright) against a live server: a resident invites a
courier, the courier opens the shared link on a phone, the gate scans it; a visitor rings from the
gate and the tenant opens from the H5 page; the guard watches it on the gate screen.

    .venv/bin/python -m pytest linli/access/tests/test_e2e_access.py -m e2e
"""

import os
from pathlib import Path

import pytest
from django.test import Client

from linli.access.models import AccessEvent
from linli.web.tests.screenshots import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.e2e
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium to run e2e tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def signed_in(chromium, live_server, user=None, *, phone=True):
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = chromium.new_context(viewport=size, is_mobile=phone, locale="zh-CN")
    context.set_default_timeout(10_000)
    # The live server is WSGI, which cannot stream the ASGI event stream: the page then polls.
    context.route("**/events/stream", lambda route: route.abort())
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies["sessionid"]
        context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return context.new_page()


def test_it_invites_a_courier_whose_phone_shows_a_qr_the_gate_accepts(
    transactional_db, live_server, world, site, api, chromium
):
    page = signed_in(chromium, live_server, world.owner)
    page.goto(f"{live_server.url}/access/")
    assert page.locator("#doors").inner_text().count("开门") >= 3
    page.locator("#my-qr svg").wait_for()
    page.get_by_role("link", name="邀请访客").click()
    page.get_by_label("快递").check()
    page.get_by_label("访客称呼").fill("中通快递")
    page.get_by_role("button", name="生成通行二维码").click()
    page.locator("svg").first.wait_for()
    link = page.locator("#share").input_value()

    visitor = signed_in(chromium, live_server)
    visitor.goto(link)
    assert "中**递，欢迎来访" in visitor.locator("main").inner_text()
    token = link.rsplit("/", 1)[1]
    assert api(token=site.token("gate")).post("/access/decide", {"method": "qr", "qr": token}).json()["allow"]

    page.get_by_role("button", name="撤销通行证").click()
    visitor.reload()
    assert "已撤销" in visitor.locator("main").inner_text()


def test_it_rings_the_tenant_who_opens_the_gate_and_the_guard_sees_it(
    transactional_db, live_server, world, site, api, chromium
):
    tenant = signed_in(chromium, live_server, world.tenant)
    tenant.goto(f"{live_server.url}/access/")
    api(token=site.token("gate")).post("/access/intercom/calls", {"house": world.house.id})
    tenant.get_by_text("东门 有访客呼叫").wait_for()
    tenant.get_by_role("button", name="开门").first.click()
    tenant.get_by_text("已为访客开门").wait_for()
    assert AccessEvent.objects.get(method="intercom").person_id == world.tenant_person.id

    guard = signed_in(chromium, live_server, world.admin, phone=False)
    guard.goto(f"{live_server.url}/access/c/{world.a.id}/gate/{site.gate.id}/")
    assert "可视对讲" in guard.locator("#feed").inner_text()
    guard.get_by_role("button", name="远程开门").click()
    guard.get_by_text("已远程开门").wait_for()
