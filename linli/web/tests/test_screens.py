"""Apps own their screens (docs/architecture.md, "Screens"): the shell renders the console entries
and the resident's cards that apps register at start-up, and names no app's page itself."""

import re
from pathlib import Path

import pytest

from linli.core.roles import Action
from linli.core.shell import nav
from linli.testing import factories as f
from linli.web.tests.conftest import text_of

SHELL = Path(nav.__file__).parent
LINLI = SHELL.parents[1]
# Every app, web included: the sign-in pages and the resident's home are registered entrances too.
APPS = ("access", "registry", "accounts", "notify", "grid", "demo", "web")


def test_it_names_no_app_page_in_the_shell():
    for source in SHELL.glob("*.py"):
        named = re.findall(rf"\b(?:{'|'.join(APPS)}):[a-z_{{]", source.read_text())
        assert not named, (source.name, named)


def test_it_keeps_each_apps_screens_in_the_app():
    """The console's and the resident's pages of an app are in its own urls.py (docs/architecture.md)."""
    from django.urls import resolve

    for path, app in (
        ("/staff/c/1/buildings/", "registry"),
        ("/staff/c/1/audit/", "registry"),
        ("/staff/c/1/import/", "registry"),
        ("/staff/c/1/team/", "accounts"),
        ("/staff/communities/new/", "accounts"),
        ("/staff/invite/x/y/", "accounts"),
        ("/access/c/1/points/", "access"),
        ("/staff/", "web"),
    ):
        match = resolve(path)
        assert (match.namespace, match.func.__module__.split(".")[1]) == (app, app), path


def test_it_keeps_inline_styles_out_of_every_apps_templates():
    templates = sorted(LINLI.glob("*/templates/**/*.html"))
    assert {t.relative_to(LINLI).parts[0] for t in templates} >= {"web", "access", "registry", "accounts"}
    for template in templates:
        assert not re.search(r"\sstyle=", template.read_text()), template


@pytest.fixture
def registered(monkeypatch):
    """A pretend app's registrations, forgotten after the test (the registry is process-wide)."""
    for name in ("_groups", "_items", "_cards"):
        monkeypatch.setattr(nav, name, dict(getattr(nav, name)))
    nav.register_nav_group("demo_app", "新业务", weight=15)
    nav.register_nav(
        "demo_app", "新页面", "registry:audit", key="demo_page", weight=0, action=Action.AUDIT_VIEW
    )
    nav.register_home_card(nav.HomeCard("demo_card", "新服务", "grid", 35, "web:contact", needs_home=True))


def test_it_shows_a_registered_entry_by_weight_to_those_who_may_open_it(world, browser, registered):
    page = text_of(browser(world.staff).get(f"/staff/c/{world.a.id}/"))
    groups = re.findall(r'<div class="group">([^<]+)</div>', page)
    assert groups == [
        "住户与房屋",
        "新业务",
        "门禁与访客",
        "收费",
        "工单",
        "物联网",
        "居民参与",
        "停车",
        "生活服务",
        "数据与大屏",
    ]
    assert f'<a href="/staff/c/{world.a.id}/audit/">新页面</a>' in page
    # The counter may not read the audit trail: the entry and its now empty group are left out.
    page = text_of(browser(world.front_desk).get(f"/staff/c/{world.a.id}/"))
    assert "新业务" not in page and "新页面" not in page


def test_it_shows_a_registered_card_by_weight_to_residents_with_a_home(world, browser, registered):
    labels = re.findall(
        r'<span class="tile-label">([^<]+)</span>', text_of(browser(world.owner).get("/services/"))
    )
    assert labels.index("新服务") == labels.index("联系物业") + 1
    homeless = f.user("stranger", phone="13900000077")
    page = text_of(browser(homeless).get("/services/"))
    assert "新服务" not in page and "联系物业" in page


def test_it_shows_the_registered_search_box_to_those_who_may_search(world, browser, monkeypatch):
    page = text_of(browser(world.staff).get(f"/staff/c/{world.a.id}/"))
    assert f'action="/staff/c/{world.a.id}/search/"' in page and "完整手机号" in page
    # A technician may not look people up: no box.
    page = text_of(browser(world.technician).get(f"/staff/c/{world.a.id}/"))
    assert 'role="search"' not in page
    # The box is whatever the app registered, not a page the shell knows.
    monkeypatch.setattr(nav, "_search", {})
    nav.register_search("registry:vehicles", "车牌号", action=Action.PEOPLE_VIEW)
    page = text_of(browser(world.staff).get(f"/staff/c/{world.a.id}/"))
    assert f'action="/staff/c/{world.a.id}/vehicles/"' in page and 'placeholder="车牌号"' in page


def test_it_sends_visitors_to_the_registered_entrances(world, browser, monkeypatch):
    assert browser().get(f"/staff/c/{world.a.id}/")["Location"].startswith("/staff/login/?next=")
    monkeypatch.setattr(nav, "_entrances", {**nav._entrances, "staff_login": "web:login"})
    assert browser().get(f"/staff/c/{world.a.id}/")["Location"].startswith("/login/?next=")
    # A resident opening the console goes to the registered home.
    monkeypatch.setattr(nav, "_entrances", {**nav._entrances, "home": "web:services"})
    assert browser(world.owner).get(f"/staff/c/{world.a.id}/")["Location"] == "/services/"
