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
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium to run e2e tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def chromium(browser, transactional_db, live_server):
    """The browser for one test: its pages are closed when the test ends, before the database is
    emptied, so a page still polling cannot query the live server during (or after) the flush."""
    yield browser
    for context in browser.contexts:
        context.close()


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


def _decode_qr_on_screen(page) -> list[str]:
    """What a phone's scanner reads off the screen: the visible viewport, not the element (an
    element screenshot would include the part cut off at the right edge)."""
    import io

    import zxingcpp
    from PIL import Image

    page.locator("#pass-qr svg").scroll_into_view_if_needed()
    shot = Image.open(io.BytesIO(page.screenshot()))
    return [found.text for found in zxingcpp.read_barcodes(shot)]


def _shared_pass(world):
    from linli.access.pass_tokens import pass_token
    from linli.access.services import do_create_pass

    visitor_pass = do_create_pass(actor=world.owner, house=world.house, visitor_name="王师傅")
    return pass_token(visitor_pass)


@pytest.mark.parametrize("width", [320, 360, 390, 430])
def test_it_shows_a_visitor_pass_qr_a_scanner_reads_on_a_phone(
    transactional_db, live_server, world, site, chromium, width
):
    token = _shared_pass(world)
    context = chromium.new_context(viewport={"width": width, "height": 740}, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/access/p/{token}")

    assert _decode_qr_on_screen(page) == [token]
    box = page.locator("#pass-qr svg").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width  # whole, not cut at the edge
    context.close()


def test_it_draws_the_qr_bigger_in_elderly_mode(transactional_db, live_server, world, site, chromium):
    token = _shared_pass(world)
    widths = {}
    for elderly in ("0", "1"):
        context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        context.add_cookies([{"name": "linli_elderly", "value": elderly, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/access/p/{token}")
        assert _decode_qr_on_screen(page) == [token]
        widths[elderly] = page.locator("#pass-qr svg").bounding_box()["width"]
        context.close()
    assert widths["1"] >= widths["0"] * 1.1


def test_it_runs_every_screen_under_the_content_security_policy(
    transactional_db, live_server, world, site, chromium
):
    """No page needs an inline script, handler or style: the browser refuses none, and the
    behaviours moved to linli.js still work (the switcher submits, the share link selects)."""
    refused = []

    def watch(page):
        page.on("console", lambda msg: "Content Security Policy" in msg.text and refused.append(msg.text))
        page.on("response", lambda r: r.status >= 400 and refused.append(f"{r.status} {r.url}"))
        return page

    resident = watch(signed_in(chromium, live_server, world.owner))
    for path in ("/", "/access/", "/access/invite/", "/me/"):
        response = resident.goto(f"{live_server.url}{path}")
        assert "script-src 'self'" in response.headers["content-security-policy"]
    resident.goto(f"{live_server.url}/access/")
    resident.locator("#my-qr svg").wait_for()  # htmx swapped the QR in
    token = _shared_pass(world)
    resident.goto(f"{live_server.url}/access/p/{token}")

    staff = watch(signed_in(chromium, live_server, world.admin, phone=False))
    staff.goto(f"{live_server.url}/staff/c/{world.a.id}/")
    staff.goto(f"{live_server.url}/access/c/{world.a.id}/gate/{site.gate.id}/")
    assert refused == []
