"""ACC-7: 久未出 / 久出未归 from access events, to family and the grid worker, without storms."""

from datetime import timedelta

from django.utils import timezone

from linli.access import services
from linli.access.models import CareAlert
from linli.core.periodic import run_due
from linli.notify.models import Notification
from linli.registry.services import do_add_care_tag


def tag(world, person):
    return do_add_care_tag(
        actor=world.grid_worker,
        person=person,
        kind="elderly_alone",
        consent_by=person.name,
        consent_method="书面",
    )


def pass_gate(api, site, terminal, number):
    r = api(token=site.token(terminal)).post("/access/decide", {"method": "card", "card": number})
    assert r.json()["allow"] is True, r.content


def test_it_alerts_family_and_grid_worker_when_out_and_not_back(world, site, api, clock):
    tag(world, world.owner_person)
    services.do_issue_card(actor=world.front_desk, person=world.owner_person, number="CA4E0001")
    r = api(world.grid_worker).post(
        f"/access/people/{world.owner_person.id}/care-rules", {"kind": "not_back", "hours": 2}
    )
    assert r.status_code == 201, r.content
    start = clock.set(timezone.now())
    pass_gate(api, site, "gate_out", "CA4E0001")
    clock.set(start + timedelta(hours=1))
    assert services.evaluate_care_rules() == 0
    clock.set(start + timedelta(hours=2, minutes=1))
    assert services.evaluate_care_rules() == 1
    assert services.evaluate_care_rules() == 0  # one open alert per rule: no storm
    told = set(Notification.objects.filter(kind="access.care_alert").values_list("recipient_id", flat=True))
    assert told == {world.tenant.id, world.grid_worker.id}
    alert = api(world.tenant).get("/access/me").json()["care_alerts"][0]
    assert alert["kind"] == "not_back" and alert["status"] == "open"
    assert api(world.neighbour).post(f"/access/care-alerts/{alert['id']}/ack", {}).status_code == 404
    assert api(world.outsider).post(f"/access/care-alerts/{alert['id']}/ack", {}).status_code == 404
    r = api(world.tenant).post(f"/access/care-alerts/{alert['id']}/ack", {"note": "已电话联系，在女儿家"})
    assert r.status_code == 200 and r.json()["status"] == "acknowledged"
    clock.set(start + timedelta(hours=6))
    assert services.evaluate_care_rules() == 0  # same condition, already acknowledged
    pass_gate(api, site, "gate", "CA4E0001")
    clock.set(start + timedelta(hours=6, minutes=1))
    pass_gate(api, site, "gate_out", "CA4E0001")
    clock.set(start + timedelta(hours=8, minutes=5))
    assert services.evaluate_care_rules() == 1  # a new outing is a new condition
    assert CareAlert.objects.count() == 2


def test_it_alerts_when_not_seen_going_out(world, site, api, clock):
    tag(world, world.owner_person)
    start = clock.set(timezone.now())
    api(world.grid_worker).post(
        f"/access/people/{world.owner_person.id}/care-rules", {"kind": "no_exit", "hours": 24}
    )
    clock.set(start + timedelta(hours=25))
    run_due(timezone.now())
    alerts = api(world.grid_worker).get(f"/communities/{world.a.id}/access/care-alerts").json()
    assert [(a["kind"], a["person_name"]) for a in alerts] == [("no_exit", "王建国")]
    assert api(world.outsider).get(f"/communities/{world.a.id}/access/care-alerts").status_code == 404
    assert api(world.grid_worker).post(f"/access/care-alerts/{alerts[0]['id']}/ack", {}).status_code == 200


def test_it_needs_consent_and_stops_when_consent_is_withdrawn(world, site, api, clock):
    path = f"/access/people/{world.owner_person.id}/care-rules"
    r = api(world.grid_worker).post(path, {"kind": "no_exit", "hours": 12})
    assert r.status_code == 400 and r.json()["code"] == "care_tag_required"
    care_tag = tag(world, world.owner_person)
    start = clock.set(timezone.now())
    assert api(world.grid_worker).post(path, {"kind": "no_exit", "hours": 12}).status_code == 201
    assert api(world.technician).post(path, {"kind": "no_exit", "hours": 12}).status_code == 404
    assert api(world.outsider).post(path, {"kind": "no_exit", "hours": 12}).status_code == 404
    bad = api(world.grid_worker).post(path, {"kind": "no_exit", "hours": 0})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_hours"
    api(world.owner).post(f"/care-tags/{care_tag.id}/revoke")
    clock.set(start + timedelta(hours=13))
    assert services.evaluate_care_rules() == 0
