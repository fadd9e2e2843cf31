"""The first day over the API: the operator opens a community with its admin, the admin creates
and invites staff with roles and scopes, and a leaver can no longer sign in."""

from urllib.parse import urlsplit

from django.test import Client

from linli.accounts.models import User
from linli.accounts.services import do_issue_token
from linli.core.models import AuditEntry, Membership
from linli.testing import factories as f

PASSWORD = "Li-Si-Door-2025!"


def _accept(invite_url: str, password: str = PASSWORD, client: Client | None = None):
    path = urlsplit(invite_url).path
    return (client or Client()).post(path, {"password": password, "password2": password})


def _sign_in(api, username: str, password: str = PASSWORD):
    client = api()
    return client, client.post("/auth/login", {"username": username, "password": password})


def test_it_opens_a_community_with_its_first_admin_who_sets_a_password(world, api):
    body = {
        "name": "新城花园",
        "code": "xincheng",
        "admin": {"username": "wang.admin", "display_name": "王管理"},
    }
    assert api(world.admin).post("/communities", body).status_code == 403
    r = api(world.operator).post("/communities", body)
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["admin"]["username"] == "wang.admin"
    assert "/staff/invite/" in created["admin"]["invite_url"]
    assert _sign_in(api, "wang.admin")[1].status_code == 400  # no password before the invitation
    assert _accept(created["admin"]["invite_url"]).status_code == 302
    admin, signed_in = _sign_in(api, "wang.admin")
    assert signed_in.status_code == 200, signed_in.content
    assert [c["code"] for c in admin.get("/communities").json()] == ["xincheng"]
    assert AuditEntry.objects.filter(action="create", object_type="core.community").exists()
    assert AuditEntry.objects.filter(action="create_staff", community_id=created["id"]).exists()


def test_it_creates_neither_community_nor_admin_when_one_is_refused(world, api):
    body = {"name": "重名花园", "code": "chongming", "admin": {"username": "owner", "display_name": "重名"}}
    r = api(world.operator).post("/communities", body)
    assert (r.status_code, r.json()["code"]) == (409, "duplicate_username")
    assert api(world.operator).get("/communities").json()[-1]["code"] != "chongming"


def test_it_lets_an_admin_create_scoped_staff_who_accept_the_invitation_once(world, api):
    r = api(world.admin).post(
        f"/communities/{world.a.id}/staff",
        {
            "username": "Li.Si",
            "display_name": "李四",
            "phone": "13900001111",
            "roles": [{"role": "front_desk", "building_id": world.building.id}],
        },
    )
    assert r.status_code == 201, r.content
    invite = r.json()["invite_url"]
    assert r.json()["username"] == "li.si"
    membership = Membership.objects.get(user_id=r.json()["id"])
    assert (membership.role, membership.building_id) == ("front_desk", world.building.id)
    assert _accept(invite).status_code == 302
    assert _accept(invite, "Another-Pass-2025!").status_code == 404  # one time only
    client, signed_in = _sign_in(api, "li.si")
    assert signed_in.status_code == 200
    assert client.get(f"/houses/{world.house.id}").status_code == 200
    listed = {s["username"]: s for s in api(world.admin).get(f"/communities/{world.a.id}/staff").json()}
    assert listed["li.si"]["password_set"] is True
    assert listed["li.si"]["roles"][0]["building_id"] == world.building.id


def test_it_creates_staff_who_sign_in_by_sms(world, api, sms_code):
    r = api(world.admin).post(
        f"/communities/{world.a.id}/staff",
        {
            "username": "guard1",
            "display_name": "保安甲",
            "phone": "13900002222",
            "sign_in": "sms",
            "roles": [{"role": "security"}],
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["invite_url"] == ""
    client = api()
    code = sms_code(client, "13900002222")
    signed_in = client.post("/auth/sms-login", {"phone": "13900002222", "code": code})
    assert signed_in.status_code == 200, signed_in.content
    assert client.get(f"/houses/{world.house.id}").status_code == 200


def test_it_refuses_staff_changes_from_outsiders_front_desks_and_bad_input(world, api):
    url = f"/communities/{world.a.id}/staff"
    admin_body = {"username": "boss", "display_name": "老板", "roles": [{"role": "community_admin"}]}
    assert api(world.outsider).post(url, admin_body).status_code == 404
    assert api(world.front_desk).post(url, admin_body).status_code == 404
    assert api(world.staff).post(url, admin_body).status_code == 404
    assert api(world.owner).post(url, admin_body).status_code == 404
    other_building = world.house_b.building_id
    cross = {**admin_body, "roles": [{"role": "front_desk", "building_id": other_building}]}
    assert api(world.admin).post(url, cross).status_code == 404
    for body, code in [
        ({**admin_body, "roles": [{"role": "king"}]}, "invalid_input"),
        ({**admin_body, "username": "owner"}, "duplicate_username"),
        ({**admin_body, "phone": "13800000001"}, "duplicate_phone"),
        ({**admin_body, "sign_in": "sms"}, "phone_required"),
        ({**admin_body, "username": "Bad Name!"}, "invalid_username"),
    ]:
        r = api(world.admin).post(url, body)
        assert r.json()["code"] == code, (body, r.content)
    assert not User.objects.filter(username="boss").exists()


def test_it_never_lets_a_role_grant_more_than_its_holder_has(world, api):
    """A building-scoped admin holds members.change only in a building: no staff creation."""
    narrow = f.staff(world.a, "community_admin", "narrow", building=world.building)
    body = {"username": "boss2", "display_name": "老板", "roles": [{"role": "community_admin"}]}
    r = api(narrow).post(f"/communities/{world.a.id}/staff", body)
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")  # it sees the community, no more


def test_it_disables_a_leaver_everywhere_at_once(world, api):
    r = api(world.admin).post(
        f"/communities/{world.a.id}/staff",
        {"username": "leaver", "display_name": "离职者", "roles": [{"role": "front_desk"}]},
    )
    user_id = r.json()["id"]
    _accept(r.json()["invite_url"])
    session, _ = _sign_in(api, "leaver")
    token = do_issue_token(actor=User.objects.get(pk=user_id), name="app").raw
    assert api(token=token).get(f"/houses/{world.house.id}").status_code == 200
    assert api(world.outsider).post(f"/communities/{world.a.id}/staff/{user_id}/disable").status_code == 404
    assert api(world.front_desk).post(f"/communities/{world.a.id}/staff/{user_id}/disable").status_code == 404
    r = api(world.admin).post(f"/communities/{world.a.id}/staff/{user_id}/disable")
    assert r.json() == {"deactivated": True}
    assert session.get("/auth/me").status_code == 401
    assert api(token=token).get(f"/houses/{world.house.id}").status_code == 401
    assert _sign_in(api, "leaver")[1].json()["code"] == "invalid_credentials"
    assert api(world.admin).post(f"/communities/{world.a.id}/staff/{user_id}/disable").status_code == 404
    assert AuditEntry.objects.filter(action="disable", object_id=str(user_id)).exists()


def test_it_keeps_an_account_that_still_works_in_another_community(world, api):
    both = f.staff(world.a, "front_desk", "both")
    Membership.objects.create(user=both, community=world.b, role="front_desk")
    r = api(world.admin).post(f"/communities/{world.a.id}/staff/{both.id}/disable")
    assert r.json() == {"deactivated": False}
    assert User.objects.get(pk=both.pk).is_active
    assert api(both).get(f"/houses/{world.house.id}").status_code == 404
    assert api(both).get(f"/houses/{world.house_b.id}").status_code == 200


def test_it_keeps_the_login_of_a_leaver_who_lives_here(world, api):
    Membership.objects.create(user=world.owner, community=world.a, role="front_desk")
    r = api(world.admin).post(f"/communities/{world.a.id}/staff/{world.owner.id}/disable")
    assert r.json() == {"deactivated": False}
    assert api(world.owner).get(f"/houses/{world.house.id}").status_code == 200  # as the owner
    assert api(world.owner).get(f"/houses/{world.neighbour_house.id}").status_code == 404  # no staff rights


def test_it_reissues_an_invitation_only_while_it_is_pending(world, api):
    r = api(world.admin).post(
        f"/communities/{world.a.id}/staff",
        {"username": "late", "display_name": "迟到者", "roles": [{"role": "technician"}]},
    )
    url = f"/communities/{world.a.id}/staff/{r.json()['id']}/invite"
    assert api(world.outsider).post(url).status_code == 404
    again = api(world.admin).post(url)
    assert again.status_code == 200 and "/staff/invite/" in again.json()["invite_url"]
    assert _accept(again.json()["invite_url"]).status_code == 302
    refused = api(world.admin).post(url)  # a link now would let the admin take the account over
    assert (refused.status_code, refused.json()["code"]) == (409, "invitation_accepted")
