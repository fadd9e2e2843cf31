"""Staff acting on activities (issue 12): cancelling a resident's sign-up for them (代办, the
waiting list promoted and told) and cancelling a whole activity with a reason (everyone signed up
told, sign-up and check-in refused afterwards, residents see why); who may not."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from linli.core.models import AuditEntry
from linli.engage.services import activities as services
from linli.testing.engage_surveys import refused, upcoming_activity
from linli.testing.personas import build_narrowed

from .test_activities import residents

pytestmark = pytest.mark.django_db


def inbox(api, user, kind="engage.activity") -> list[dict]:
    return [n for n in api(user).get("/inbox").json()["items"] if n["kind"] == kind]


def page(user, url: str, data: dict | None = None):
    client = Client()
    client.force_login(user)
    return client.post(url, data, follow=True) if data is not None else client.get(url)


def sign_up(api, user, activity, party_size=1) -> dict:
    r = api(user).post(f"/engage/activities/{activity.pk}/registrations", {"party_size": party_size})
    assert r.status_code == 201, r.content
    return r.json()


def test_staff_cancel_a_sign_up_from_the_console_and_the_waiting_list_moves_up(world, api):
    activity = upcoming_activity(world, capacity=2)
    first, second = residents(world, 2)
    owner = sign_up(api, world.owner, activity, party_size=2)
    waiting = sign_up(api, first, activity)
    later = sign_up(api, second, activity)
    assert (owner["status"], waiting["status"], waiting["waiting_position"]) == ("confirmed", "waiting", 1)
    url = f"/engage/staff/{world.a.id}/activities/{activity.pk}/"
    shown = page(world.staff, url).content.decode()
    assert f'name="registration" value="{owner["id"]}"' in shown and "确认取消" in shown
    done = page(world.staff, url, {"registration": owner["id"]})
    assert done.status_code == 200 and "已取消该报名" in done.content.decode()
    mine = api(world.owner).get(f"/engage/activities/{activity.pk}").json()
    assert mine["registration"] is None and mine["seats_left"] == 0
    assert api(first).get(f"/engage/activities/{activity.pk}").json()["registration"]["status"] == "confirmed"
    assert (
        api(second).get(f"/engage/activities/{activity.pk}").json()["registration"]["status"] == "confirmed"
    )
    [told] = inbox(api, world.owner)
    assert "报名已取消" in told["title"] and told["link"] == f"/engage/activities/{activity.pk}/"
    assert ["候补成功" in n["title"] for n in inbox(api, first)] == [True]
    entry = AuditEntry.objects.filter(action="engage.registration_cancelled").get()
    assert (entry.actor_id, entry.on_behalf_of) == (
        world.staff.pk,
        f"{world.owner.display_name}#{world.owner.pk}",
    )
    # Through the API too: staff see the name masked; a second cancel is refused.
    r = api(world.staff).post(f"/engage/registrations/{later['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert r.json()["name"] != world.owner.display_name and "*" in r.json()["name"]
    again = api(world.staff).post(f"/engage/registrations/{later['id']}/cancel")
    assert (again.status_code, again.json()["code"]) == (409, "not_registered")


def test_staff_cancel_an_activity_everyone_is_told_and_it_takes_no_one_after(world, api):
    activity = upcoming_activity(world, capacity=1)
    confirmed = sign_up(api, world.owner, activity)
    waiting = sign_up(api, world.tenant, activity)
    code = api(world.owner).get(f"/engage/registrations/{confirmed['id']}/code").json()["code"]
    cancel = f"/engage/activities/{activity.pk}/cancel"
    blank = api(world.staff).post(cancel, {"reason": "   "})
    assert (blank.status_code, blank.json()["code"]) == (400, "reason_required")
    r = api(world.staff).post(cancel, {"reason": "暴雨红色预警"})
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["cancel_reason"], r.json()["seats_left"]) == (
        "cancelled",
        "暴雨红色预警",
        1,
    )
    for user in (world.owner, world.tenant):  # confirmed and waiting alike
        [told] = inbox(api, user)
        assert "活动取消" in told["title"] and "暴雨红色预警" in told["body"]
    for registration in (confirmed, waiting):
        [row] = [
            x
            for x in api(world.staff).get(f"/engage/activities/{activity.pk}/registrations").json()
            if x["id"] == registration["id"]
        ]
        assert row["status"] == "cancelled"
    again = api(world.staff).post(cancel, {"reason": "再取消一次"})
    assert (again.status_code, again.json()["code"]) == (409, "activity_cancelled")
    late = api(world.neighbour).post(f"/engage/activities/{activity.pk}/registrations", {"party_size": 1})
    assert (late.status_code, late.json()["code"]) == (409, "activity_closed")
    door = api(world.staff).post(f"/engage/activities/{activity.pk}/check-ins", {"code": code})
    assert (door.status_code, door.json()["code"]) == (409, "activity_cancelled")
    # What residents see: 已取消 with the reason, no sign-up form.
    detail = page(world.owner, f"/engage/activities/{activity.pk}/").content.decode()
    assert "活动已取消" in detail and "暴雨红色预警" in detail and 'id="sign-up"' not in detail
    listed = page(world.neighbour, "/engage/activities/").content.decode()
    assert "已取消" in listed and "暴雨红色预警" in listed
    mine = api(world.owner).get("/engage/my/activities").json()
    assert [(a["status"], a["cancel_reason"]) for a in mine] == [("cancelled", "暴雨红色预警")]
    console = page(world.staff, f"/engage/staff/{world.a.id}/activities/{activity.pk}/").content.decode()
    assert 'id="cancelled"' in console and 'id="cancel-activity"' not in console


def test_an_activity_is_cancelled_from_its_console_page_with_a_reason(world, api):
    activity = upcoming_activity(world)
    sign_up(api, world.owner, activity)
    url = f"/engage/staff/{world.a.id}/activities/{activity.pk}/"
    assert 'id="cancel-activity"' in page(world.staff, url).content.decode()
    blank = page(world.staff, url, {"action": "cancel_activity", "reason": ""})
    assert "请填写取消原因" in blank.content.decode()
    assert api(world.owner).get(f"/engage/activities/{activity.pk}").json()["status"] == "open"
    done = page(world.staff, url, {"action": "cancel_activity", "reason": "场地维修"})
    assert "活动已取消" in done.content.decode() and "场地维修" in done.content.decode()
    assert [n["body"] for n in inbox(api, world.owner)] == ["取消原因：场地维修"]


def test_an_ended_activity_cannot_be_cancelled(world, api):
    past = timezone.now() - timedelta(days=1)
    activity = upcoming_activity(world, starts_at=past, ends_at=past + timedelta(hours=2))
    r = api(world.staff).post(f"/engage/activities/{activity.pk}/cancel", {"reason": "补录"})
    assert (r.status_code, r.json()["code"]) == (409, "activity_ended")


def test_outsiders_view_only_and_narrowed_staff_cannot_cancel(world, api):
    narrowed = build_narrowed(world)
    activity = upcoming_activity(world)
    registration = sign_up(api, world.owner, activity)  # a resident of 1号楼
    reason = {"reason": "无权取消"}
    cancel_activity = f"/engage/activities/{activity.pk}/cancel"
    cancel_registration = f"/engage/registrations/{registration['id']}/cancel"
    assert api(world.outsider).post(cancel_activity, reason).status_code == 404
    assert api(world.outsider).post(cancel_registration).status_code == 404
    assert api(world.neighbour).post(cancel_registration).status_code == 404  # another resident
    # engage.view without engage.run: sees the activity, may not cancel anything.
    assert api(world.front_desk).post(cancel_activity, reason).status_code == 403
    # engage.run narrowed to 1号楼's grid: sees the registration, but acts for the community only.
    assert api(narrowed.grid_worker).post(cancel_registration).status_code == 403
    assert api(narrowed.grid_worker).post(cancel_activity, reason).status_code in (403, 404)
    url = f"/engage/staff/{world.a.id}/activities/{activity.pk}/"
    assert 'id="cancel-activity"' not in page(world.front_desk, url).content.decode()
    page(world.front_desk, url, {"action": "cancel_activity", "reason": "x"})
    page(world.front_desk, url, {"registration": registration["id"]})
    assert page(world.outsider, url, {"registration": registration["id"]}).status_code in (403, 404)
    mine = api(world.owner).get(f"/engage/activities/{activity.pk}").json()
    assert (mine["status"], mine["registration"]["status"]) == ("open", "confirmed")
    assert inbox(api, world.owner) == []


def test_a_sign_up_racing_the_cancellation_is_refused_not_left_waiting(world):
    """The sign-up read the activity while open; the cancellation committed before its seats."""
    activity = upcoming_activity(world, capacity=1)
    services.do_sign_up(actor=world.owner, activity=activity)
    stale = type(activity).objects.get(pk=activity.pk)
    services.do_cancel_activity(actor=world.staff, activity=activity, reason="取消")
    refused("activity_closed", services.do_sign_up, actor=world.tenant, activity=stale)
    assert not stale.registrations.filter(status__in=services.LIVE).exists()
