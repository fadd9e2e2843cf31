"""The hot path (ACC-2, ACC-6): card and PIN decisions, reason codes, events, security events."""

import uuid

from linli.access import services
from linli.access.models import AccessEvent, OpenCommand, SecurityEvent


def decide(api, site, terminal="door", **body):
    r = api(token=site.token(terminal)).post("/access/decide", body)
    assert r.status_code == 200, r.content
    return r.json()


def test_it_opens_for_a_resident_card_and_records_the_event(world, site, api):
    services.do_issue_card(actor=world.front_desk, person=world.owner_person, number="04:A1:B2:C3")
    body = decide(api, site, method="card", card="04a1b2c3")
    assert body["allow"] is True and body["reason"] == "granted"
    assert body["person"]["name"] == "王*国"
    event = AccessEvent.objects.get(pk=body["event"])
    assert (event.person_id, event.point_id, event.method, event.allowed) == (
        world.owner_person.id,
        site.door.id,
        "card",
        True,
    )


def test_it_decides_a_card_in_a_handful_of_queries(world, site, api, django_assert_max_num_queries):
    services.do_issue_card(actor=world.front_desk, person=world.owner_person, number="CAFE0001")
    client = api(token=site.token("door"))
    client.post("/access/decide", {"method": "card", "card": "CAFE0001"})  # warm the last_seen throttle
    # terminal, credential, grants, event: 4 (+ SAVEPOINT/RELEASE here, as tests run inside a transaction)
    with django_assert_max_num_queries(6):
        r = client.post("/access/decide", {"method": "card", "card": "CAFE0001"})
    assert r.json()["allow"] is True


def test_it_refuses_with_a_reason_for_each_case(world, site, api):
    services.do_issue_card(actor=world.front_desk, person=world.owner_person, number="AAAA0001")
    old = services.do_issue_card(actor=world.front_desk, person=world.tenant_person, number="AAAA0002")
    services.do_revoke_credential(actor=world.front_desk, credential=old)
    assert decide(api, site, method="card", card="FFFF9999")["reason"] == "unknown_credential"
    assert decide(api, site, method="card", card="not a card!")["reason"] == "unknown_credential"
    assert decide(api, site, method="card", card="AAAA0002")["reason"] == "credential_revoked"
    other = decide(api, site, "other_door", method="card", card="AAAA0001")
    assert (other["allow"], other["reason"]) == (False, "no_grant")


def test_it_does_not_know_another_communitys_cards(world, site, api):
    from linli.registry.models import Person

    outsider_person = Person.objects.get(user=world.outsider)
    services.do_issue_card(actor=world.outsider, person=outsider_person, number="BBBB0001")
    assert decide(api, site, "gate", method="card", card="BBBB0001")["reason"] == "unknown_credential"
    assert decide(api, site, "gate_b", method="card", card="BBBB0001")["allow"] is True


def test_it_opens_with_room_and_pin_and_rate_limits_guessing(world, site, api):
    r = api(world.owner).post(f"/access/people/{world.owner_person.id}/pins", {"house_id": world.house.id})
    assert r.status_code == 201, r.content
    pin = r.json()["pin"]
    assert len(pin) == 6 and pin.isdigit()
    assert decide(api, site, method="pin", house=world.house.id, pin=pin)["allow"] is True
    wrong = f"{(int(pin) + 1) % 10**6:06d}"
    for _ in range(5):
        assert (
            decide(api, site, method="pin", house=world.house.id, pin=wrong)["reason"] == "unknown_credential"
        )
    locked = decide(api, site, method="pin", house=world.house.id, pin=pin)
    assert (locked["allow"], locked["reason"]) == (False, "pin_rate_limited")
    kinds = set(SecurityEvent.objects.filter(point=site.door, status="open").values_list("kind", flat=True))
    assert kinds == {"denied", "repeated_failures"}
    denied = SecurityEvent.objects.get(point=site.door, kind="denied")
    assert denied.count == 6  # one open event, bumped: no storm


def test_it_issues_a_new_pin_that_replaces_the_old_one(world, site, api):
    first = api(world.owner).post(
        f"/access/people/{world.owner_person.id}/pins", {"house_id": world.house.id}
    )
    second = api(world.owner).post(
        f"/access/people/{world.owner_person.id}/pins", {"house_id": world.house.id}
    )
    assert decide(api, site, method="pin", house=world.house.id, pin=second.json()["pin"])["allow"] is True
    if first.json()["pin"] != second.json()["pin"]:
        old = decide(api, site, method="pin", house=world.house.id, pin=first.json()["pin"])
        assert old["reason"] == "credential_revoked"


def test_it_lets_only_the_person_their_household_head_or_staff_set_a_pin(world, site, api):
    path = f"/access/people/{world.owner_person.id}/pins"
    assert api(world.neighbour).post(path, {"house_id": world.house.id}).status_code == 404
    assert api(world.outsider).post(path, {"house_id": world.house.id}).status_code == 404
    assert api(world.technician).post(path, {"house_id": world.house.id}).status_code == 404
    # the landlord sets up the tenant's PIN; the tenant may not set the landlord's
    tenant_path = f"/access/people/{world.tenant_person.id}/pins"
    assert api(world.owner).post(tenant_path, {"house_id": world.house.id}).status_code == 201
    assert api(world.tenant).post(path, {"house_id": world.house.id}).status_code == 403


def test_it_answers_a_replayed_decision_with_the_first_answer(world, site, api):
    services.do_issue_card(actor=world.front_desk, person=world.owner_person, number="ABCD1234")
    event_id = str(uuid.uuid4())
    first = decide(api, site, method="card", card="ABCD1234", event_id=event_id)
    again = decide(api, site, method="card", card="ABCD1234", event_id=event_id)
    assert first == again
    assert AccessEvent.objects.filter(uuid=event_id).count() == 1


def test_it_refuses_a_terminal_asking_for_another_point(world, site, api):
    r = api(token=site.token("door")).post(
        "/access/decide", {"method": "card", "card": "1234", "point": site.gate.id}
    )
    assert r.status_code == 403 and r.json()["code"] == "wrong_point"
    r = api(token=site.token("door")).post("/access/decide", {"method": "teleport"})
    assert r.status_code == 400 and r.json()["code"] == "invalid_method"


def test_it_refuses_at_an_inactive_point(world, site, api):
    services.do_issue_card(actor=world.front_desk, person=world.owner_person, number="ABCD9999")
    api(world.admin).patch(f"/access/points/{site.door.id}", {"is_active": False})
    assert decide(api, site, method="card", card="ABCD9999")["reason"] == "point_inactive"


def test_it_opens_from_the_app_once_through_the_terminal(world, site, api):
    r = api(world.owner).post("/access/me/open", {"point": site.door.id})
    assert r.status_code == 200 and r.json()["allow"] is True
    commands = api(token=site.token("door")).get("/terminals/me/commands").json()
    assert [c["method"] for c in commands] == ["app"]
    assert api(token=site.token("door")).get("/terminals/me/commands").json() == []
    assert AccessEvent.objects.get(pk=r.json()["event"]).method == "app"


def test_it_refuses_app_open_where_the_resident_has_no_grant(world, site, api):
    r = api(world.owner).post("/access/me/open", {"point": site.other_door.id})
    assert r.status_code == 200 and r.json()["reason"] == "no_grant"
    assert not OpenCommand.objects.exists()
    assert api(world.outsider).post("/access/me/open", {"point": site.door.id}).status_code == 404


def test_it_lists_my_points_and_credentials(world, site, api):
    services.do_issue_card(actor=world.front_desk, person=world.owner_person, number="ABCD5678")
    body = api(world.owner).get("/access/me").json()
    names = {p["name"] for p in body["points"]}
    assert {"东门", "1号楼大堂门", "车库入口"} <= names and "2号楼大堂门" not in names
    assert [c["kind"] for c in body["credentials"]] == ["card"]
    assert "lookup" not in body["credentials"][0] and "offline_verifier" not in body["credentials"][0]


def test_it_lets_a_guard_open_and_see_events_but_not_an_outsider(world, site, api):
    from linli.testing import factories as f

    guard = f.staff(world.a, "security", "guard")
    r = api(guard).post(f"/access/points/{site.gate.id}/open")
    assert r.status_code == 200 and r.json()["reason"] == "remote_open"
    decide(api, site, method="card", card="DEAD0000")
    events = api(guard).get(f"/communities/{world.a.id}/access/events").json()["items"]
    assert [e["reason"] for e in events][:2] == ["unknown_credential", "remote_open"]
    assert api(world.outsider).get(f"/communities/{world.a.id}/access/events").status_code == 404
    assert api(world.outsider).post(f"/access/points/{site.gate.id}/open").status_code == 404
    assert api(world.technician).post(f"/access/points/{site.gate.id}/open").status_code == 404


def test_it_lists_events_in_constant_queries(world, site, api, django_assert_max_num_queries):
    services.do_issue_card(actor=world.front_desk, person=world.owner_person, number="ABCD0001")
    for _ in range(30):
        decide(api, site, method="card", card="ABCD0001")
    client = api(world.staff)
    with django_assert_max_num_queries(8):
        r = client.get(f"/communities/{world.a.id}/access/events", {"limit": 50})
    assert len(r.json()["items"]) == 30


def test_it_acknowledges_a_security_event_once(world, site, api):
    decide(api, site, method="card", card="DEAD0001")
    event = api(world.staff).get(f"/communities/{world.a.id}/access/security-events").json()[0]
    assert event["kind"] == "denied"
    assert api(world.outsider).post(f"/access/security-events/{event['id']}/ack").status_code == 404
    assert api(world.staff).post(f"/access/security-events/{event['id']}/ack").status_code == 200
    r = api(world.staff).post(f"/access/security-events/{event['id']}/ack")
    assert r.status_code == 409 and r.json()["code"] == "already_acknowledged"
    decide(api, site, method="card", card="DEAD0001")
    assert SecurityEvent.objects.filter(point=site.door, kind="denied").count() == 2
