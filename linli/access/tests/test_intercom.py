"""ACC-5: a gate calls a house; the household's phones get it live; one tap opens once."""

from datetime import timedelta

from django.utils import timezone

from linli.access.models import AccessEvent, OpenCommand
from linli.core.models import OutboxEvent


def call(api, site, house_id, terminal="gate"):
    return api(token=site.token(terminal)).post("/access/intercom/calls", {"house": house_id})


def test_it_rings_the_household_and_opens_the_gate_once(world, site, api):
    r = call(api, site, world.house.id)
    assert r.status_code == 201, r.content
    call_id = r.json()["id"]
    rung = set(OutboxEvent.objects.filter(topic="access.intercom_call").values_list("user_id", flat=True))
    assert rung == {world.owner.id, world.tenant.id}
    assert [c["id"] for c in api(world.tenant).get("/access/intercom/calls").json()] == [call_id]
    assert api(world.neighbour).get("/access/intercom/calls").json() == []
    opened = api(world.tenant).post(f"/access/intercom/calls/{call_id}/open")
    assert opened.status_code == 200 and opened.json()["status"] == "opened"
    again = api(world.owner).post(f"/access/intercom/calls/{call_id}/open")
    assert again.status_code == 409 and again.json()["code"] == "call_not_ringing"
    assert api(token=site.token("gate")).get(f"/access/intercom/calls/{call_id}").json()["status"] == "opened"
    assert [c["method"] for c in api(token=site.token("gate")).get("/terminals/me/commands").json()] == [
        "intercom"
    ]
    event = AccessEvent.objects.get(method="intercom")
    assert (event.allowed, event.person_id, event.point_id) == (True, world.tenant_person.id, site.gate.id)
    assert OutboxEvent.objects.filter(topic="access.intercom_answered").count() == 2


def test_it_lets_the_household_decline_and_misses_unanswered_calls(world, site, api, clock):
    declined = call(api, site, world.house.id).json()["id"]
    assert api(world.owner).post(f"/access/intercom/calls/{declined}/decline").json()["status"] == "declined"
    assert not OpenCommand.objects.exists()
    missed = call(api, site, world.house.id).json()["id"]
    clock.set(timezone.now() + timedelta(seconds=61))
    assert api(token=site.token("gate")).get(f"/access/intercom/calls/{missed}").json()["status"] == "missed"
    late = api(world.owner).post(f"/access/intercom/calls/{missed}/open")
    assert late.status_code == 409 and late.json()["fields"]["status"] == "missed"


def test_it_keeps_calls_within_the_household_and_the_reach_of_the_door(world, site, api):
    call_id = call(api, site, world.house.id).json()["id"]
    assert api(world.neighbour).post(f"/access/intercom/calls/{call_id}/open").status_code == 404
    assert api(world.outsider).post(f"/access/intercom/calls/{call_id}/open").status_code == 404
    assert api(token=site.token("door")).get(f"/access/intercom/calls/{call_id}").status_code == 404
    far = call(api, site, world.house.id, terminal="other_door")
    assert far.status_code == 404 and far.json()["code"] == "house_not_reachable"
    assert call(api, site, world.house_b.id).status_code == 404
    assert api(world.owner).post("/access/intercom/calls", {"house": world.house.id}).status_code == 401
