"""Smart fitness equipment (SVC-2) as a machine on IoT's HTTP ingest and residents live it: the
machine counts every use (nobody named) and everyone sees how busy it is; a card held to its
reader records a use for that person only while they consent; withdrawing erases the record."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from linli.access.services import do_issue_card
from linli.iot.services.devices import do_register_device, ensure_profiles
from linli.registry.services import do_end_occupancy
from linli.services.models import FitnessConsent, FitnessUse
from linli.testing import iot

STATUS = "/api/v1/iot/ingest/a/fit-1/status"
TELEMETRY = "/api/v1/iot/ingest/a/fit-1/telemetry"


@pytest.fixture
def machine(world):
    ensure_profiles(world.a.id)
    device, token = do_register_device(
        actor=None,
        community_id=world.a.id,
        profile_id=iot.profile(world.a.id, "fitness").pk,
        code="fit-1",
        name="太空漫步机",
        place="中心花园健身区",
    )
    do_issue_card(actor=world.front_desk, person=world.owner_person, number="0F170001")
    do_issue_card(actor=world.front_desk, person=world.tenant_person, number="0F170002")
    return device, token


def send(client, path, token, **fields):
    r = client.post(path, iot.body(token, ts=time.time(), **fields), content_type="application/json")
    assert r.status_code == 202, r.content
    return r


@pytest.mark.django_db
def test_a_card_counts_for_its_holder_only_while_they_consent(client, api, world, machine):
    _device, token = machine
    send(client, STATUS, token, card="0F170001")
    assert not FitnessUse.objects.exists()  # no consent: the card is read, nothing kept

    r = api(world.owner).post("/services/my/fitness/consent", {"community_id": world.a.id})
    assert r.status_code == 201 and r.json()["consented"] is True
    again = api(world.owner).post("/services/my/fitness/consent", {"community_id": world.a.id})
    assert (again.status_code, again.json()["code"]) == (409, "fitness_already_consented")
    send(client, STATUS, token, card="0F170001")
    send(client, STATUS, token, card="0F170002")  # the tenant did not consent
    send(client, STATUS, token, card="FFFF9999")  # nobody's card
    assert list(FitnessUse.objects.values_list("person_id", flat=True)) == [world.owner_person.pk]
    mine = api(world.owner).get("/services/my/fitness").json()
    assert [(m["community_id"], m["consented"], m["uses_30_days"]) for m in mine] == [(world.a.id, True, 1)]
    theirs = api(world.tenant).get("/services/my/fitness").json()
    assert theirs[0]["consented"] is False and theirs[0]["days"] == []

    gone = api(world.owner).post("/services/my/fitness/withdraw", {"community_id": world.a.id})
    assert gone.json() == {"erased": 1}
    assert not FitnessUse.objects.exists()
    assert FitnessConsent.objects.get().withdrawn_at is not None  # the history of consent stays
    send(client, STATUS, token, card="0F170001")
    assert not FitnessUse.objects.exists()
    again = api(world.owner).post("/services/my/fitness/withdraw", {"community_id": world.a.id})
    assert (again.status_code, again.json()["code"]) == (409, "fitness_not_consented")


@pytest.mark.django_db
def test_the_machines_count_is_everyones_and_names_nobody(client, api, world, machine):
    device, token = machine
    send(client, TELEMETRY, token, values={"uses": 3})
    send(client, TELEMETRY, token, values={"uses": 2})
    for user in (world.staff, world.tenant):
        rows = api(user).get(f"/services/communities/{world.a.id}/fitness").json()
        assert [(m["id"], m["uses_30_days"], m["days"][-1]["uses"]) for m in rows] == [(device.pk, 5, 5)]
    assert api(world.outsider).get(f"/services/communities/{world.a.id}/fitness").status_code == 404
    assert (
        api(world.outsider).post("/services/my/fitness/consent", {"community_id": world.a.id}).status_code
        == 404
    )


@pytest.mark.django_db
def test_the_pages_show_the_machines_and_the_switch(client, world, machine):
    _device, token = machine
    send(client, TELEMETRY, token, values={"uses": 4})
    resident = Client()
    resident.force_login(world.owner)
    page = resident.get("/life/fitness/").content.decode()
    assert "太空漫步机" in page and "开启健身记录" in page
    assert resident.post("/life/fitness/", {"community": world.a.id, "action": "consent"}).status_code == 302
    assert "关闭并删除我的记录" in resident.get("/life/fitness/").content.decode()
    staff = Client()
    staff.force_login(world.staff)
    console = staff.get(f"/life/staff/{world.a.id}/fitness/").content.decode()
    assert "太空漫步机" in console and "中心花园健身区" in console


@pytest.mark.django_db
def test_a_tenant_who_has_moved_out_cannot_switch_recording_on(api, world):
    """Their person stays on record, but they no longer live here: refused, and nothing kept."""
    do_end_occupancy(actor=world.owner, occupancy=world.lease, on=timezone.localdate() - timedelta(days=1))
    r = api(world.tenant).post("/services/my/fitness/consent", {"community_id": world.a.id})
    assert r.status_code == 404
    assert not FitnessConsent.objects.exists()
    assert api(world.tenant).get("/services/my/fitness").json() == []
