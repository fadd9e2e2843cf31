"""ACC-8 through the terminal simulator: signed snapshots with deltas, offline decisions,
buffered uploads without loss or duplicates, signed requests."""

from datetime import timedelta

import jwt
from django.utils import timezone

from linli.access import jws, services
from linli.access.decide.snapshot import SETTLE
from linli.access.models import AccessEvent, ChangeLog, VisitorPass


def age_changes(seconds=5):
    """Changes are stamped at insert; the version a snapshot reports only covers settled ones."""
    ChangeLog.objects.update(at=timezone.now() - timedelta(seconds=seconds))


def test_it_serves_a_snapshot_any_jose_library_can_verify(world, site, api):
    services.do_issue_card(actor=world.front_desk, person=world.owner_person, number="0A0A0001")
    body = api(token=site.token("door")).get("/terminals/me/snapshot").json()
    keys = api().get(f"/communities/{world.a.id}/jwks.json").json()["keys"]
    payload = jwt.decode(body["snapshot"], jwt.PyJWK(keys[0]).key, algorithms=["EdDSA"])
    assert payload["full"] is True and payload["point"]["id"] == site.door.id
    people = {e["person"] for e in payload["entries"]}
    assert people == {world.owner_person.id, world.tenant_person.id, world.neighbour.people.get().id}
    owner = next(e for e in payload["entries"] if e["person"] == world.owner_person.id)
    assert owner["name"] == "王*国" and len(owner["cards"]) == 1 and "0A0A0001" not in str(payload)
    assert "1号楼-1单元-301" in payload["rooms"]
    other = api(token=site.token("other_door")).get("/terminals/me/snapshot").json()
    assert jws.peek(other["snapshot"])[1]["entries"] == []


def test_it_decides_offline_from_the_snapshot(world, site, sim):
    services.do_issue_card(actor=world.front_desk, person=world.owner_person, number="0A0A0002")
    pin = services.do_issue_pin(actor=world.owner, person=world.owner_person, house=world.house)[1]
    door = sim()
    door.sync()
    door.transport.online = False
    assert door.decide("card", card="0A0A0002").reason == "granted"
    assert door.decide("card", card="0A0A0003").reason == "unknown_credential"
    assert door.decide("pin", house=world.house.id, pin=pin).allow is True
    assert (
        door.decide("pin", house=world.house.id, pin="000000" if pin != "000000" else "111111").allow is False
    )
    assert all(o["id"] for o in door.state.buffer) and len(door.state.buffer) == 4
    assert not AccessEvent.objects.exists()


def test_it_uploads_buffered_events_once_even_when_replayed(world, site, sim):
    services.do_issue_card(actor=world.front_desk, person=world.owner_person, number="0A0A0004")
    door = sim()
    door.sync()
    door.transport.online = False
    door.decide("card", card="0A0A0004")
    door.decide("card", card="DEADBEEF")
    batch = list(door.state.buffer)
    door.transport.online = True
    assert door.upload() == {"accepted": 2, "duplicates": 0}
    status, replay = door.transport.request("POST", "/terminals/me/events", {"events": batch})
    assert (status, replay) == (200, {"accepted": 0, "duplicates": 2})
    events = AccessEvent.objects.order_by("at")
    assert [(e.allowed, e.offline, e.person_id) for e in events] == [
        (True, True, world.owner_person.id),
        (False, True, None),
    ]


def test_it_reaches_the_terminal_with_a_revocation_in_the_next_delta(world, site, sim):
    credential = services.do_issue_card(actor=world.front_desk, person=world.owner_person, number="0A0A0005")
    door = sim()
    door.sync()
    age_changes()
    version = door.sync()["version"]
    services.do_revoke_credential(actor=world.front_desk, credential=credential)
    delta = door.sync()  # no waiting: a delta carries every visible change after `since`
    assert delta["full"] is False and delta["entries"] >= 1
    door.transport.online = False
    assert door.decide("card", card="0A0A0005").reason == "unknown_credential"
    assert door.state.version >= version


def test_it_catches_up_after_a_day_offline_with_one_delta(world, site, sim, api, clock):
    services.do_issue_card(actor=world.front_desk, person=world.tenant_person, number="0A0A0006")
    gate = sim("gate")
    gate.sync()
    age_changes()
    gate.sync()
    until = (timezone.now() + timedelta(days=3)).isoformat()
    visitor = (
        api(world.owner)
        .post(f"/access/houses/{world.house.id}/passes", {"visitor_name": "客", "valid_until": until})
        .json()
    )
    # a day of changes while the gate is unplugged
    services.do_issue_card(actor=world.front_desk, person=world.neighbour.people.get(), number="0A0A0007")
    api(world.owner).post(f"/occupancies/{world.lease.id}/end", {"reason": "lease_ended_early"})
    api(world.owner).post(f"/access/passes/{visitor['id']}/revoke")
    clock.set(timezone.now() + timedelta(days=1))
    age_changes(seconds=3600)
    delta = gate.sync()
    assert delta["full"] is False
    gate.transport.online = False
    assert gate.decide("card", card="0A0A0007").allow is True  # the neighbour's new card
    assert gate.decide("card", card="0A0A0006").reason == "source_ended"  # lease ended: it says so
    assert gate.scan_qr(visitor["token"]).reason == "pass_revoked"


def test_it_verifies_passes_offline_with_the_jwks_and_counts_uses_locally(world, site, sim, api):
    gate = sim("gate")
    gate.sync()
    one = api(world.owner).post(
        f"/access/houses/{world.house.id}/passes", {"visitor_name": "甲", "max_uses": 1}
    )
    token = one.json()["token"]
    gate.transport.online = False
    assert gate.scan_qr(token).reason == "visitor_pass"
    assert gate.scan_qr(token).reason == "pass_used_up"
    assert gate.scan_qr(token[:-4] + "AAAA").reason == "pass_bad_signature"
    resident = api(world.owner).get("/access/me/qr").json()["token"]
    assert gate.scan_qr(resident).allow is True
    gate.transport.online = True
    assert gate.upload()["accepted"] == 4
    assert VisitorPass.objects.get(pk=one.json()["id"]).uses == 1


def test_it_tells_the_gates_when_a_pass_is_used_up_online(world, site, sim, api):
    token = (
        api(world.owner)
        .post(f"/access/houses/{world.house.id}/passes", {"visitor_name": "乙", "max_uses": 1})
        .json()["token"]
    )
    door = sim()
    door.sync()
    assert api(token=site.token("gate")).post("/access/decide", {"method": "qr", "qr": token}).json()["allow"]
    door.sync()
    door.transport.online = False
    assert door.scan_qr(token).reason == "pass_used_up"


def test_it_accepts_signed_requests_from_a_terminal_key_pair(world, site, api):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    from linli.access.sim import HttpTransport

    key = Ed25519PrivateKey.generate()
    r = api(world.admin).post(
        f"/communities/{world.a.id}/access/terminals",
        {"point_id": site.door.id, "name": "签名终端", "public_key": jws.public_key_x(key)},
    )
    assert r.status_code == 201, r.content
    signer = HttpTransport(
        "http://testserver",
        terminal_id=r.json()["id"],
        private_key=key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()),
    )
    headers = signer._headers("GET", "/terminals/me", b"")
    me = api().client.get(
        "/api/v1/terminals/me", **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    )
    assert me.status_code == 200 and me.json()["id"] == r.json()["id"]
    forged = dict(
        headers, **{"X-Linli-Signature": jws.b64url_encode(Ed25519PrivateKey.generate().sign(b"x"))}
    )
    bad = api().client.get(
        "/api/v1/terminals/me", **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in forged.items()}
    )
    assert bad.status_code == 401
    stale = dict(headers, **{"X-Linli-Timestamp": "1000"})
    old = api().client.get(
        "/api/v1/terminals/me", **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in stale.items()}
    )
    assert old.status_code == 401 and old.json()["code"] == "clock_skew"


def test_it_settles_versions_so_a_change_in_flight_is_not_skipped(world, site, api):
    services.do_issue_card(actor=world.front_desk, person=world.owner_person, number="0A0A0008")
    first = api(token=site.token("door")).get("/terminals/me/snapshot").json()
    assert first["version"] == 0  # nothing has settled yet: the next delta will re-send it all
    age_changes(seconds=SETTLE.total_seconds() + 1)
    settled = api(token=site.token("door")).get("/terminals/me/snapshot").json()
    assert settled["version"] == ChangeLog.objects.order_by("-id").first().id
