"""Notices (ENG-1) through the API as the personas: targeting, read receipts and rates, the
unread households and told-in-person, scheduled publishing, urgent SMS and speakers, files."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.engage.models import Notice, NoticeHousehold, NoticeRecipient
from linli.engage.services import notices as services
from linli.iot.models import Broadcast
from linli.notify.models import Notification
from linli.testing import factories as f
from linli.testing import iot
from linli.testing.engage_notices import PDF

pytestmark = pytest.mark.django_db


def compose(api, staff, community_id, **body):
    payload = {"title": "停水通知", "body": "明天9点到12点停水。", **body}
    r = api(staff).post(f"/engage/communities/{community_id}/notices", payload)
    assert r.status_code == 201, r.json()
    return r.json()["id"]


def publish(api, staff, notice_id, **body):
    r = api(staff).post(f"/engage/notices/{notice_id}/publish", body)
    assert r.status_code == 200, r.json()
    return r.json()


def reached(notice_id) -> tuple[set, set]:
    houses = set(NoticeHousehold.objects.filter(notice_id=notice_id).values_list("house_id", flat=True))
    users = set(NoticeRecipient.objects.filter(notice_id=notice_id).values_list("user_id", flat=True))
    return houses, users


def test_it_targets_the_community_owners_tenants_a_building_and_a_unit(world, api, second_building):
    s = second_building
    everyone = compose(api, world.staff, world.a.id)
    publish(api, world.staff, everyone)
    houses, users = reached(everyone)
    assert houses == {world.house.id, world.neighbour_house.id, s["house"].id, s["house2"].id}
    assert users == {world.owner.id, world.tenant.id, world.neighbour.id, s["user"].id, s["sun"].id}

    owners = compose(api, world.staff, world.a.id, audience="owners", building_id=world.building.id)
    publish(api, world.staff, owners)
    houses, users = reached(owners)
    assert houses == {world.house.id, world.neighbour_house.id, s["house2"].id}
    assert world.tenant.id not in users and world.owner.id in users

    tenants = compose(api, world.staff, world.a.id, audience="tenants")
    publish(api, world.staff, tenants)
    assert reached(tenants) == ({world.house.id}, {world.tenant.id})

    unit = compose(api, world.staff, world.a.id, building_id=world.building.id, unit_id=s["unit2"].id)
    publish(api, world.staff, unit)
    assert reached(unit) == ({s["house2"].id}, {s["sun"].id})
    assert Notice.objects.get(pk=unit).households == 1


def test_a_care_group_is_the_households_of_live_consented_tags(world, api, second_building):
    tag = world.owner_person.care_tags.create(
        community=world.a,
        kind="elderly_alone",
        consent_at=timezone.now(),
        consent_by="本人",
        consent_method="书面",
    )
    preview = api(world.staff).post(
        f"/engage/communities/{world.a.id}/notices/preview",
        {"audience": "care", "care_kind": "elderly_alone"},
    )
    assert preview.json() == {"households": 1, "accounts": 2}  # 王建国's flat: he and his tenant
    care = compose(api, world.staff, world.a.id, audience="care", care_kind="elderly_alone")
    publish(api, world.staff, care)
    assert reached(care)[0] == {world.house.id}
    tag.revoked_at = timezone.now()
    tag.save()
    assert api(world.staff).post(
        f"/engage/communities/{world.a.id}/notices/preview",
        {"audience": "care", "care_kind": "elderly_alone"},
    ).json() == {"households": 0, "accounts": 0}
    r = api(world.staff).post(f"/engage/communities/{world.a.id}/notices/preview", {"audience": "care"})
    assert r.status_code == 400 and r.json()["code"] == "care_kind_required"


def test_the_preview_counts_without_naming_anyone(world, api, second_building):
    r = api(world.front_desk).post(
        f"/engage/communities/{world.a.id}/notices/preview", {"building_id": world.building.id}
    )
    assert r.json() == {"households": 3, "accounts": 4}
    assert "王" not in r.content.decode()


def test_a_must_confirm_notice_counts_confirmations_per_building_and_lists_the_unread(
    world, api, second_building
):
    notice_id = compose(api, world.front_desk, world.a.id, must_confirm=True)
    publish(api, world.front_desk, notice_id)
    mine = api(world.owner).get("/engage/my/notices").json()
    assert mine["unread"] == 1 and mine["items"][0]["id"] == notice_id
    r = api(world.owner).post(f"/engage/my/notices/{notice_id}/confirm")
    assert r.status_code == 200 and r.json()["confirmed"] and r.json()["read"]
    assert api(world.owner).get("/engage/my/notices").json()["unread"] == 0
    # the tenant sees the household's confirmation; confirming again changes nothing
    assert api(world.tenant).get(f"/engage/my/notices/{notice_id}").json()["confirmed"] is True
    api(world.tenant).post(f"/engage/my/notices/{notice_id}/confirm")
    assert (
        NoticeHousehold.objects.get(notice_id=notice_id, house=world.house).confirmed_by_id == world.owner.id
    )

    stats = api(world.staff).get(f"/engage/notices/{notice_id}").json()
    by_name = {b["building"]: b for b in stats["buildings"]}
    assert by_name["1号楼"]["households"] == 3 and by_name["1号楼"]["confirmed"] == 1
    assert by_name["1号楼"]["rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert by_name["2号楼"]["rate"] == 0
    assert stats["total"]["reached"] == 1 and stats["total"]["households"] == 4

    # the neighbour opened it but did not confirm: still unread for a must-confirm notice
    api(world.neighbour).get(f"/engage/my/notices/{notice_id}")
    unread = api(world.front_desk).get(f"/engage/notices/{notice_id}/unread").json()["items"]
    assert {u["house_id"] for u in unread} == {
        world.neighbour_house.id,
        second_building["house"].id,
        second_building["house2"].id,
    }
    neighbour = next(u for u in unread if u["house_id"] == world.neighbour_house.id)
    assert neighbour["residents"] == ["赵*居 138****0003"]  # masked, enough to call

    told = api(world.front_desk).post(
        f"/engage/notices/{notice_id}/households/{world.neighbour_house.id}/told",
        {"how": "phone", "note": "已电话告知"},
    )
    assert told.status_code == 200, told.json()
    assert told.json()["items"][0]["told_how"] == "phone"
    row = NoticeHousehold.objects.get(notice_id=notice_id, house=world.neighbour_house)
    assert row.told_by_id == world.front_desk.id and row.told_at is not None
    again = api(world.front_desk).post(
        f"/engage/notices/{notice_id}/households/{world.neighbour_house.id}/told", {"how": "visit"}
    )
    assert again.status_code == 409 and again.json()["code"] == "already_told"
    confirmed = api(world.front_desk).post(
        f"/engage/notices/{notice_id}/households/{world.house.id}/told", {"how": "visit"}
    )
    assert confirmed.status_code == 409 and confirmed.json()["code"] == "already_confirmed"
    by_name = {
        b["building"]: b for b in api(world.staff).get(f"/engage/notices/{notice_id}").json()["buildings"]
    }
    assert by_name["1号楼"]["reached"] == 2 and by_name["1号楼"]["told"] == 1
    unread = api(world.front_desk).get(f"/engage/notices/{notice_id}/unread").json()["items"]
    assert world.neighbour_house.id not in {u["house_id"] for u in unread}


def test_an_ordinary_notice_is_reached_when_read_and_needs_no_confirmation(world, api):
    notice_id = compose(api, world.staff, world.a.id)
    publish(api, world.staff, notice_id)
    r = api(world.owner).post(f"/engage/my/notices/{notice_id}/confirm")
    assert r.status_code == 400 and r.json()["code"] == "confirm_not_needed"
    api(world.owner).get(f"/engage/my/notices/{notice_id}")
    total = api(world.staff).get(f"/engage/notices/{notice_id}").json()["total"]
    assert (total["read"], total["reached"], total["households"]) == (1, 1, 2)


def test_it_delivers_to_every_inbox_and_only_to_the_targeted(world, api, second_building):
    notice_id = compose(api, world.staff, world.a.id, building_id=world.building.id, audience="owners")
    publish(api, world.staff, notice_id)
    told = set(Notification.objects.filter(kind="engage.notice").values_list("recipient_id", flat=True))
    assert told == {world.owner.id, world.neighbour.id, second_building["sun"].id}
    assert api(world.tenant).get(f"/engage/my/notices/{notice_id}").status_code == 404
    assert api(second_building["user"]).get("/engage/my/notices").json() == {"unread": 0, "items": []}


def test_a_scheduled_notice_is_published_by_the_periodic_job(world, api):
    from django.utils.module_loading import autodiscover_modules

    from linli.core.periodic import REGISTRY

    autodiscover_modules("periodic")  # as the scheduler does
    notice_id = compose(api, world.staff, world.a.id)
    at = timezone.now() + timedelta(hours=2)
    assert publish(api, world.staff, notice_id, publish_at=at.isoformat())["status"] == "scheduled"
    assert reached(notice_id) == (set(), set())
    again = api(world.staff).post(f"/engage/notices/{notice_id}/publish", {})
    assert again.status_code == 200  # a scheduled notice may still be published at once
    assert (
        api(world.staff).post(f"/engage/notices/{notice_id}/publish", {}).json()["code"] == "notice_not_draft"
    )

    later = compose(api, world.staff, world.a.id, title="电梯检修")
    publish(api, world.staff, later, publish_at=at.isoformat())
    job = REGISTRY["engage.publish_due_notices"]
    job.fn(timezone.now())
    assert Notice.objects.get(pk=later).status == "scheduled"
    job.fn(at + timedelta(seconds=1))
    assert Notice.objects.get(pk=later).status == "published"
    assert reached(later)[1] == {world.owner.id, world.tenant.id, world.neighbour.id}


def test_an_urgent_notice_is_texted_and_broadcast_to_the_buildings_speakers(
    world, api, sms_outbox, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    site = iot.site(world)
    notice_id = compose(
        api,
        world.staff,
        world.a.id,
        building_id=world.building.id,
        urgent=True,
        speakers=True,
        title="紧急停水",
    )
    with django_capture_on_commit_callbacks(execute=True):
        publish(api, world.staff, notice_id)
    assert sorted(s.phone for s in sms_outbox) == ["13800000001", "13800000002", "13800000003"]
    assert sms_outbox[0].text.startswith("紧急停水：明天9点")
    broadcast = Broadcast.objects.get(community=world.a)
    assert broadcast.building_id == world.building.id and broadcast.priority == "emergency"
    assert broadcast.speakers == 1 and "紧急停水" in broadcast.text
    assert site.speaker.pk


def test_speakers_need_an_urgent_notice_and_ordinary_ones_send_no_text(
    world, api, sms_outbox, django_capture_on_commit_callbacks
):
    r = api(world.staff).post(
        f"/engage/communities/{world.a.id}/notices", {"title": "t", "body": "b", "speakers": True}
    )
    assert r.status_code == 400 and r.json()["code"] == "speakers_need_urgent"
    notice_id = compose(api, world.staff, world.a.id)
    with django_capture_on_commit_callbacks(execute=True):
        publish(api, world.staff, notice_id)
    assert sms_outbox == [] and not Broadcast.objects.exists()


def test_attachments_are_checked_and_served_to_readers_only(world, api, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    notice_id = compose(api, world.staff, world.a.id, building_id=world.building.id)
    client = api(world.staff).client
    from django.core.files.uploadedfile import SimpleUploadedFile

    ok = client.post(
        f"/api/v1/engage/notices/{notice_id}/attachments", {"file": SimpleUploadedFile("停水范围.pdf", PDF)}
    )
    assert ok.status_code == 201, ok.json()
    bad = client.post(
        f"/api/v1/engage/notices/{notice_id}/attachments",
        {"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00")},
    )
    assert bad.status_code == 400 and bad.json()["code"] == "unsupported_file"
    services.MAX_FILE_BYTES, saved = 10, services.MAX_FILE_BYTES
    try:
        big = client.post(
            f"/api/v1/engage/notices/{notice_id}/attachments", {"file": SimpleUploadedFile("a.pdf", PDF)}
        )
    finally:
        services.MAX_FILE_BYTES = saved
    assert big.status_code == 400 and big.json()["code"] == "file_too_large"
    publish(api, world.staff, notice_id)
    url = ok.json()["url"].removeprefix("/api/v1")
    assert (
        api(world.owner).get(f"/engage/my/notices/{notice_id}").json()["attachments"][0]["name"]
        == "停水范围.pdf"
    )
    assert api(world.owner).get(url).content == PDF
    assert api(world.outsider).get(url).status_code == 404


def test_who_may_compose_and_who_may_not(world, api):
    r = api(world.technician).post(f"/engage/communities/{world.a.id}/notices", {"title": "t", "body": "b"})
    assert r.status_code == 404
    r = api(world.owner).post(f"/engage/communities/{world.a.id}/notices", {"title": "t", "body": "b"})
    assert r.status_code == 404
    other = f.building(world.b, "9号楼")
    r = api(world.staff).post(
        f"/engage/communities/{world.a.id}/notices", {"title": "t", "body": "b", "building_id": other.id}
    )
    assert r.status_code == 400 and r.json()["code"] == "unknown_building"


def test_pinned_notices_come_first(world, api):
    first = compose(api, world.staff, world.a.id, title="第一")
    second = compose(api, world.staff, world.a.id, title="第二")
    publish(api, world.staff, first)
    publish(api, world.staff, second)
    assert api(world.staff).post(f"/engage/notices/{first}/pin", {"pinned": True}).json()["pinned"] is True
    assert [n["id"] for n in api(world.owner).get("/engage/my/notices").json()["items"]] == [first, second]
