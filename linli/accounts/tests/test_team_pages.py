"""The first day in the console: the operator opens a community, its admin adds staff with roles
and scopes, the invited person sets a password once, and a leaver is disabled."""

import re
from html import unescape
from urllib.parse import urlsplit

from linli.accounts.models import User
from linli.core.models import AuditEntry, Community, Membership
from linli.testing.walk import text_of

PASSWORD = "Zhao-Liu-Gate-2025!"


def _invite_path(response) -> str:
    url = re.search(
        r'id="invite-url" [^>]*value="([^"]+)"|value="([^"]+)" id="invite-url"', text_of(response)
    )
    return urlsplit(unescape(url.group(1) or url.group(2))).path


def _staff_login(browser, username: str, password: str = PASSWORD):
    return browser().post("/staff/login/", {"username": username, "password": password, "totp": ""})


def test_it_sends_an_operator_with_no_community_to_open_one(db, browser):
    from linli.testing import factories as f

    operator = f.user("op1", is_operator=True)
    assert browser(operator).get("/staff/").url == "/staff/communities/new/"


def test_it_lets_the_operator_open_a_community_with_its_admin(world, browser):
    form = {
        "name": "新城花园",
        "code": "xincheng",
        "admin_username": "wang.admin",
        "admin_name": "王管理",
        "admin_sign_in": "invite",
    }
    assert browser(world.admin).post("/staff/communities/new/", form).status_code == 404
    r = browser(world.operator).post("/staff/communities/new/", form)
    assert r.status_code == 200, text_of(r)
    community = Community.objects.get(code="xincheng")
    assert Membership.objects.get(community=community).user.username == "wang.admin"
    client = browser()
    assert client.get(_invite_path(r)).status_code == 200
    done = client.post(_invite_path(r), {"password": PASSWORD, "password2": PASSWORD})
    assert done.status_code == 302
    assert _staff_login(browser, "wang.admin").status_code == 302
    assert AuditEntry.objects.filter(action="create", community_id=community.id).exists()


def test_it_lets_an_admin_add_staff_with_a_role_and_a_scope(world, browser):
    admin = browser(world.admin)
    page = admin.get(f"/staff/c/{world.a.id}/team/new/")
    assert page.status_code == 200
    assert "社区管理员" in text_of(page) and "1号楼" in text_of(page)
    r = admin.post(
        f"/staff/c/{world.a.id}/team/new/",
        {
            "username": "zhao.liu",
            "display_name": "赵六",
            "phone": "",
            "sign_in": "invite",
            "roles": ["front_desk", "security"],
            "building": str(world.building.id),
            "grid": "",
        },
    )
    assert r.status_code == 200, text_of(r)
    user = User.objects.get(username="zhao.liu")
    assert sorted(Membership.objects.filter(user=user).values_list("role", "building_id")) == [
        ("front_desk", world.building.id),
        ("security", world.building.id),
    ]
    assert "zhao.liu" in text_of(admin.get(f"/staff/c/{world.a.id}/team/"))
    path = _invite_path(r)
    assert browser().post(path, {"password": "short", "password2": "short"}).status_code == 422
    assert browser().post(path, {"password": PASSWORD, "password2": PASSWORD}).status_code == 302
    assert browser().get(path).status_code == 404  # used
    assert _staff_login(browser, "zhao.liu").status_code == 302


def test_it_shows_a_refusal_on_the_form(world, browser):
    r = browser(world.admin).post(
        f"/staff/c/{world.a.id}/team/new/",
        {"username": "owner", "display_name": "重名", "sign_in": "invite", "roles": ["technician"]},
    )
    assert r.status_code == 422
    assert "该登录名已被使用" in text_of(r)


def test_it_keeps_outsiders_and_front_desks_off_the_staff_pages(world, browser):
    body = {"username": "boss", "display_name": "老板", "sign_in": "invite", "roles": ["community_admin"]}
    for who in (world.outsider, world.front_desk, world.staff, world.technician):
        assert browser(who).get(f"/staff/c/{world.a.id}/team/").status_code == 404
        assert browser(who).post(f"/staff/c/{world.a.id}/team/new/", body).status_code == 404
        assert (
            browser(who).post(f"/staff/c/{world.a.id}/team/{world.front_desk.id}/disable/").status_code == 404
        )
    assert browser(world.outsider).get("/staff/communities/new/").status_code == 404
    assert not User.objects.filter(username="boss").exists()


def test_it_disables_a_leaver_from_the_console(world, browser):
    leaver_session = browser(world.front_desk)
    assert leaver_session.get(f"/staff/c/{world.a.id}/").status_code == 200
    admin = browser(world.admin)
    assert admin.get(f"/staff/c/{world.a.id}/team/{world.front_desk.id}/").status_code == 200
    r = admin.post(f"/staff/c/{world.a.id}/team/{world.front_desk.id}/disable/")
    assert r.status_code == 302
    assert not User.objects.get(pk=world.front_desk.pk).is_active
    assert leaver_session.get(f"/staff/c/{world.a.id}/").status_code == 302  # signed out: to the login
    admin.get(f"/staff/c/{world.a.id}/team/")  # shows the message once
    assert "frontdesk" not in text_of(admin.get(f"/staff/c/{world.a.id}/team/"))


def test_it_shows_the_staff_pages_in_english(world, browser):
    client = browser(world.admin)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = text_of(client.get(f"/staff/c/{world.a.id}/team/new/"))
    assert "Add staff" in page and "Login name" in page and "Whole community" in page
    assert "添加工作人员" not in page
