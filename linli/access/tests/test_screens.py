"""The access screens through Django's test client (the browser walk is in test_e2e_access.py)."""

import re

from django.test import Client

from linli.access import services
from linli.access.models import AccessEvent, Terminal, VisitorPass
from linli.demo.identifiers import make_id_number


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_it_shows_the_resident_their_doors_codes_and_household(world, site):
    r = browser(world.owner).get("/access/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "1号楼大堂门" in html and "2号楼大堂门" not in html
    assert "1号楼-1单元-301" in html
    assert browser().get("/access/").status_code == 302  # sign in first


def test_it_opens_a_door_from_the_phone(world, site):
    r = browser(world.owner).post(f"/access/open/{site.door.id}/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "门已打开" in r.content.decode()
    assert AccessEvent.objects.get().method == "app"
    assert browser(world.outsider).post(f"/access/open/{site.door.id}/").status_code == 404


def test_it_shows_a_fresh_qr_and_a_new_pin_once(world, site):
    assert "<svg" in browser(world.owner).get("/access/qr/").content.decode()
    r = browser(world.owner).post(f"/access/pin/{world.house.id}/")
    pin = re.search(r'id="pin"[^>]*>(\d{6})<', r.content.decode()).group(1)
    decision = services.do_decide(
        terminal=site.terminal("door"), method="pin", house_id=world.house.id, pin=pin
    )
    assert decision.allowed
    assert browser(world.neighbour).post(f"/access/pin/{world.house.id}/").status_code == 404


def test_it_invites_a_visitor_and_shares_a_link_that_shows_the_qr(world, site):
    client = browser(world.owner)
    r = client.post(
        "/access/invite/",
        {"house": world.house.id, "kind": "courier", "visitor_name": "顺丰小哥", "plate": ""},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    page = client.get(r["Location"]).content.decode()
    link = re.search(r'value="(http[^"]+/access/p/[^"]+)"', page).group(1)
    shared = browser().get(link.replace("http://testserver", ""))
    assert (
        shared.status_code == 200
        and "<svg" in shared.content.decode()
        and "顺**哥" in shared.content.decode()
    )
    assert browser().get("/access/p/not.a.token").status_code == 404
    visitor_pass = VisitorPass.objects.get()
    client.post(f"/access/passes/{visitor_pass.id}/revoke/")
    assert "已撤销" in browser().get(link.replace("http://testserver", "")).content.decode()
    assert browser(world.neighbour).get(f"/access/passes/{visitor_pass.id}/").status_code == 404


def test_it_lets_the_head_add_a_helper_on_a_schedule(world, site):
    client = browser(world.owner)
    r = client.post(
        f"/access/household/{world.house.id}/",
        {
            "name": "刘阿姨",
            "phone": "13911112222",
            "label": "保姆",
            "days": ["1", "2", "3", "4", "5"],
            "start": "08:00",
            "end": "18:00",
        },
    )
    assert r.status_code == 302
    page = client.get(f"/access/household/{world.house.id}/").content.decode()
    assert "刘阿姨" in page and "周一至周五 08:00–18:00" in page
    assert browser(world.outsider).get(f"/access/household/{world.house.id}/").status_code == 404
    assert (
        "添加保姆"
        in browser(world.neighbour).get(f"/access/household/{world.neighbour_house.id}/").content.decode()
    )


def test_it_rings_the_resident_and_opens_from_the_page(world, site, api):
    call = api(token=site.token("gate")).post("/access/intercom/calls", {"house": world.house.id}).json()
    banner = browser(world.tenant).get("/access/calls/").content.decode()
    assert "东门 有访客呼叫" in banner
    assert browser(world.tenant).post(f"/access/calls/{call['id']}/open/").status_code == 302
    assert (
        api(token=site.token("gate")).get(f"/access/intercom/calls/{call['id']}").json()["status"] == "opened"
    )


def test_it_gives_staff_the_access_console(world, site):
    admin = browser(world.admin)
    page = admin.get(f"/access/c/{world.a.id}/points/").content.decode()
    assert "东门" in page and "门禁点与终端" in page
    r = admin.post(
        f"/access/c/{world.a.id}/points/", {"terminal-point": site.gate.id, "terminal-name": "东门二号机"}
    )
    token = re.search(r"lnt_[A-Za-z0-9_-]+", r.content.decode()).group(0)
    assert Terminal.objects.filter(name="东门二号机").exists() and token.startswith("lnt_")
    services.do_decide(terminal=site.terminal("gate"), method="card", card="DEADBEEF")
    events = admin.get(f"/access/c/{world.a.id}/events/").content.decode()
    assert "未登记的凭证" in events and "待处理的安全事件" in events
    for path in ("grants", "visitors", "parking", "care", f"gate/{site.gate.id}"):
        assert admin.get(f"/access/c/{world.a.id}/{path}/").status_code == 200, path


def test_it_keeps_the_console_to_its_community_and_roles(world, site):
    assert browser(world.outsider).get(f"/access/c/{world.a.id}/points/").status_code == 404
    assert browser(world.technician).get(f"/access/c/{world.a.id}/events/").status_code == 404
    assert browser(world.owner).get(f"/access/c/{world.a.id}/events/").status_code == 302  # residents go home


def test_it_registers_a_walk_in_at_the_guard_house(world, site):
    from linli.testing import factories as f

    guard = f.staff(world.a, "security", "guard")
    r = browser(guard).post(
        f"/access/c/{world.a.id}/visitors/",
        {
            "house": "1号楼-1单元-301",
            "visitor_name": "王师傅",
            "id_number": make_id_number(),
            "open_point": site.gate.id,
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    assert VisitorPass.objects.get().uses == 1
    bad = browser(guard).post(
        f"/access/c/{world.a.id}/visitors/",
        {"house": "9号楼-1单元-999", "visitor_name": "某", "id_number": "1"},
    )
    assert "找不到该房屋" in bad.content.decode()


def test_it_simulates_a_terminal_on_the_gate_screen(world, site):
    services.do_issue_card(actor=world.front_desk, person=world.owner_person, number="5C4EE001")
    r = browser(world.admin).post(f"/access/c/{world.a.id}/gate/{site.gate.id}/", {"credential": "5C4EE001"})
    assert "通行" in r.content.decode() and "王*国" in r.content.decode()
    feed = browser(world.admin).get(f"/access/c/{world.a.id}/gate/{site.gate.id}/", HTTP_HX_REQUEST="true")
    assert "王建国" in feed.content.decode()


def test_it_clears_the_card_number_on_the_gate_screen_after_a_swipe(world, site):
    admin = browser(world.admin)
    page = admin.post(f"/access/c/{world.a.id}/gate/{site.gate.id}/", {"credential": "DEADBEEF"})
    html = page.content.decode()
    assert 'id="decision"' in html and "未登记的凭证" in html  # the result is shown...
    field = re.search(r'<input[^>]*name="credential"[^>]*>', html).group(0)
    assert "DEADBEEF" not in field and "value=" not in field  # ...and the box is empty for the next card
