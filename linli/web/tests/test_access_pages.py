"""The access pages (linli.access) in the design system: same layout, labels rather than stored
codes (no inline styles in any app's templates: test_screens.py)."""

import re

import pytest

from linli.access import services
from linli.testing.access import install
from linli.web.tests.conftest import text_of


@pytest.fixture
def site(world):
    return install(world)


def test_it_shows_reasons_and_pass_states_as_words_not_codes(world, site, browser):
    services.do_decide(terminal=site.terminal("gate"), method="card", card="DEADBEEF")
    services.do_create_pass(actor=world.owner, house=world.house, visitor_name="张阿姨")
    staff = browser(world.staff)
    events = text_of(staff.get(f"/access/c/{world.a.id}/events/"))
    assert "待处理的安全事件" in events and "未登记的凭证" in events
    assert "unknown_credential" not in events
    gate = text_of(staff.get(f"/access/c/{world.a.id}/gate/{site.gate.id}/"))
    assert "未登记的凭证" in gate and "unknown_credential" not in gate
    visitors = text_of(staff.get(f"/access/c/{world.a.id}/visitors/"))
    assert '<span class="badge badge-brand">有效</span>' in visitors and ">valid<" not in visitors


def test_it_renders_the_pass_state_on_the_residents_and_the_visitors_pages(world, site, browser):
    visitor_pass = services.do_create_pass(actor=world.owner, house=world.house, visitor_name="张阿姨")
    owner = browser(world.owner)
    page = text_of(owner.get(f"/access/passes/{visitor_pass.id}/"))
    assert '<span class="badge badge-brand">有效</span>' in page
    link = re.search(r'id="share" value="[^"]*(/access/p/[^"]+)"', page).group(1)
    services.do_revoke_pass(actor=world.owner, visitor_pass=visitor_pass)
    shared = text_of(browser().get(link))
    assert '<span class="badge badge-danger">已撤销</span>' in shared and '<header class="app-bar">' in shared


def test_it_speaks_english_on_the_access_pages_with_the_language_cookie(world, site, browser):
    services.do_decide(terminal=site.terminal("gate"), method="card", card="DEADBEEF")
    staff = browser(world.staff)
    staff.cookies["django_language"] = "en"
    events = text_of(staff.get(f"/access/c/{world.a.id}/events/"))
    assert "Access log" in events and "Unregistered credential" in events
    assert "<th>Time</th>" in events and "通行记录" not in events
    owner = browser(world.owner)
    owner.cookies["django_language"] = "en"
    home = text_of(owner.get("/access/"))
    assert "Open door" in text_of(owner.get("/services/"))
    assert "My QR code" in home and "Door PIN (flat number + PIN)" in home and "门禁" not in home
