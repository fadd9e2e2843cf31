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
APPS = ("access", "registry", "accounts", "notify", "grid", "demo")


def test_it_names_no_app_page_in_the_shell():
    for source in SHELL.glob("*.py"):
        named = re.findall(rf"\b(?:{'|'.join(APPS)}):[a-z_{{]", source.read_text())
        assert not named, (source.name, named)


@pytest.fixture
def registered(monkeypatch):
    """A pretend app's registrations, forgotten after the test (the registry is process-wide)."""
    for name in ("_groups", "_items", "_cards"):
        monkeypatch.setattr(nav, name, dict(getattr(nav, name)))
    nav.register_nav_group("demo_app", "新业务", weight=15)
    nav.register_nav(
        "demo_app", "新页面", "web:staff_audit", key="demo_page", weight=0, action=Action.AUDIT_VIEW
    )
    nav.register_home_card(nav.HomeCard("demo_card", "新服务", "grid", 35, "web:contact", needs_home=True))


def test_it_shows_a_registered_entry_by_weight_to_those_who_may_open_it(world, browser, registered):
    page = text_of(browser(world.staff).get(f"/staff/c/{world.a.id}/"))
    groups = re.findall(r'<div class="group">([^<]+)</div>', page)
    assert groups == ["住户与房屋", "新业务", "门禁与访客"]
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
