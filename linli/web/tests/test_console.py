"""The console's frame, above every app: /staff/ and the switcher, who is let in, and the
navigation that shows each app's registered pages (here the access app's beside the registry's)."""

import re

from linli.testing import factories as f
from linli.web.tests.conftest import text_of


def url(world, tail: str = "", community=None) -> str:
    return f"/staff/c/{(community or world.a).id}/{tail}"


def test_it_sends_residents_home_and_strangers_to_the_staff_login(world, browser):
    assert browser(world.owner).get(url(world))["Location"] == "/"
    assert browser(world.owner).get("/staff/")["Location"] == "/"
    r = browser().get(url(world, "people/"))
    assert r.status_code == 302 and r["Location"].startswith("/staff/login/?next=")


def test_it_opens_the_console_on_the_users_community(world, browser):
    r = browser(world.staff).get("/staff/")
    assert r["Location"] == url(world)


ACCESS_PAGES = ("points", "events", "grants", "visitors", "parking")


def access_links(page: str, community) -> set[str]:
    return set(re.findall(rf'href="/access/c/{community.id}/([a-z-]+)/"', page))


def test_it_links_the_access_console_for_roles_that_may_see_it(world, browser):
    for user in (world.staff, world.admin, world.front_desk, f.staff(world.a, "security", "guard")):
        client = browser(user)
        page = text_of(client.get(url(world)))
        assert '<div class="group">门禁与访客</div>' in page, user
        assert access_links(page, world.a) >= set(ACCESS_PAGES), user
        assert '门禁与访客 <span class="badge">即将上线</span>' not in page
        for tail in ACCESS_PAGES:
            assert client.get(f"/access/c/{world.a.id}/{tail}/").status_code == 200, (user, tail)
    # Care alerts follow care.view: the manager has it, the counter does not.
    assert "care" in access_links(text_of(browser(world.staff).get(url(world))), world.a)
    assert "care" not in access_links(text_of(browser(world.front_desk).get(url(world))), world.a)


def test_it_marks_the_open_access_page_in_the_navigation(world, browser):
    page = text_of(browser(world.staff).get(f"/access/c/{world.a.id}/events/"))
    assert f'<a href="/access/c/{world.a.id}/events/" aria-current="page">通行记录</a>' in page
    assert f'href="{url(world, "buildings/")}"' in page


def test_it_gives_a_grid_worker_care_alerts_but_no_doors(world, browser):
    page = text_of(browser(world.grid_worker).get(url(world)))
    assert access_links(page, world.a) == {"care"}


def test_it_shows_no_access_console_to_a_technician_or_the_outsider(world, browser):
    page = text_of(browser(world.technician).get(url(world)))
    assert "门禁与访客" not in page and "/access/" not in page
    outsider = browser(world.outsider)
    assert outsider.get(url(world)).status_code == 404
    own = text_of(outsider.get(url(world, community=world.b)))
    assert access_links(own, world.b) >= set(ACCESS_PAGES)
    assert f"/access/c/{world.a.id}/" not in own


def test_it_switches_community_for_the_operator(world, browser):
    client = browser(world.operator)
    page = text_of(client.get(url(world)))
    assert "和平苑" in page and "幸福里小区" in page
    assert client.get("/staff/switch/", {"community": world.b.id})["Location"] == url(world, "", world.b)
