"""REG-3 / ACC-3: a right ends when its source ends. Every kind of right a person holds or hands
out × every way its source ends: refused at the next decision with its own reason, online (the
terminal's decide API) and offline (a terminal that synced a delta after the end), and the
holder is told why (the gate's message; the passes list for passes)."""

import base64
import struct
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from linli.access import faces, services
from linli.access.choices import Reason
from linli.access.tests.conftest import local
from linli.access.tests.test_terminal_sim import age_changes
from linli.core.models import Membership
from linli.demo.identifiers import make_id_number
from linli.testing import factories as f

EMBEDDING = base64.b64encode(struct.pack("<128f", *([0.05] * 128))).decode()
LABELS = dict(Reason.choices)


@dataclass
class Holder:
    user: object
    person: object
    house: object  # None for staff


@dataclass
class Case:
    world: object
    site: object
    api: object
    sim: object
    clock: object
    holder: Holder
    clock_before_end: object = None  # for a source that ends by date: a moment before it does

    def decide(self, terminal: str, **body) -> dict:
        r = self.api(token=self.site.token(terminal)).post("/access/decide", body)
        assert r.status_code == 200, r.content
        return r.json()


# --- how a source ends -------------------------------------------------------------------------


def tenant(world, site):
    return Holder(world.tenant, world.tenant_person, world.house)


def owner(world, site):
    return Holder(world.owner, world.owner_person, world.house)


def guard(world, site):
    user = f.staff(world.a, "security", "guard")
    person = f.person(world.a, "保安老李", login=user)
    services.consume_registry_changes()
    return Holder(user, person, None)


def lease_runs_out(case: Case) -> None:
    """Nobody acts: the lease's last day passes (a fake clock moves to 00:00 the day after)."""
    day_after = case.world.lease.valid_to + timedelta(days=1)
    case.clock.set(local(day_after.year, day_after.month, day_after.day, 0, 0))


def end(case: Case, actor, occupancy, reason: str) -> None:
    r = case.api(actor).post(f"/occupancies/{occupancy.id}/end", {"reason": reason})
    assert r.status_code == 200, r.content


def lease_ended_early(case: Case) -> None:
    end(case, case.world.owner, case.world.lease, "lease_ended_early")  # the landlord


def tenant_moves_out(case: Case) -> None:
    end(case, case.world.tenant, case.world.lease, "moved_out")  # the tenant themself


def head_removed(case: Case) -> None:
    """The household head (the owner) is removed from the house by staff: the flat was sold."""
    end(case, case.world.staff, case.world.owner_person.occupancies.get(), "sold")


def role_ended(case: Case) -> None:
    membership = Membership.objects.get(user=case.holder.user)
    assert case.api(case.world.admin).delete(f"/memberships/{membership.id}").status_code == 204


ENDINGS = {
    "lease_by_date": (tenant, lease_runs_out),
    "lease_ended_early": (tenant, lease_ended_early),
    "moved_out": (tenant, tenant_moves_out),
    "head_removed": (owner, head_removed),
    "staff_role_ended": (guard, role_ended),
}


# --- the rights: each arms itself, proves it works, and returns its checks ---------------------


@dataclass
class Probe:
    online: object  # () -> (reason, message) of the next decision
    offline_terminal: str | None = None  # the simulator that must refuse offline too
    offline: object = None  # (sim) -> reason
    listed: object = None  # () -> what the holder's own screen says


def card(case: Case) -> Probe:
    services.do_issue_card(actor=case.world.front_desk, person=case.holder.person, number="E0D00001")

    def online():
        answer = case.decide("door", method="card", card="E0D00001")
        return answer["reason"], answer["message"]

    assert online()[0] == "granted"
    return Probe(online, "door", lambda sim: sim.decide("card", card="E0D00001").reason)


def pin(case: Case) -> Probe:
    house = case.holder.house
    code = services.do_issue_pin(actor=case.holder.user, person=case.holder.person, house=house)[1]

    def online():
        answer = case.decide("door", method="pin", house=house.id, pin=code)
        return answer["reason"], answer["message"]

    assert online()[0] == "granted"
    return Probe(online, "door", lambda sim: sim.decide("pin", house=house.id, pin=code).reason)


def face(case: Case) -> Probe:
    services.do_enrol_face(
        actor=case.world.front_desk,
        person=case.holder.person,
        embedding_b64=EMBEDDING,
        consent_by="本人",
        consent_method="现场",
    )
    faces._indexes.clear()  # a fresh process: no index cached by an earlier test's database

    def online():
        answer = case.decide("door", method="face", embedding=EMBEDDING)
        return answer["reason"], answer["message"]

    assert online()[0] == "granted"
    return Probe(online)  # offline terminals have no faces: they ask the server


def visitor_pass(case: Case) -> Probe:
    holder = case.holder
    if holder.house is not None:
        until = (timezone.now() + timedelta(days=5)).isoformat()
        r = case.api(holder.user).post(
            f"/access/houses/{holder.house.id}/passes",
            {"visitor_name": "来访的朋友", "valid_until": until, "max_uses": 50},
        )
    else:  # a walk-in visitor the guard registered at the gate
        r = case.api(holder.user).post(
            f"/communities/{case.world.a.id}/access/walk-ins",
            {"house_id": case.world.house.id, "visitor_name": "李师傅", "id_number": make_id_number()},
        )
    assert r.status_code == 201, r.content
    issued = r.json()

    def online():
        answer = case.decide("gate", method="qr", qr=issued["token"])
        return answer["reason"], answer["message"]

    def listed():
        mine = {p["id"]: p for p in case.api(holder.user).get("/access/me/passes").json()}[issued["id"]]
        h5 = Client()  # the resident's H5 passes page says the same
        h5.force_login(holder.user)
        page = h5.get("/access/passes/").content.decode()
        if mine["status"] == "ended":
            assert "已失效" in page and mine["ended_message"] in page
        return mine["status"], mine.get("ended_reason"), mine.get("ended_message")

    assert online()[0] == "visitor_pass" and listed()[0] == "valid"
    return Probe(online, "gate", lambda sim: sim.scan_qr(issued["token"]).reason, listed)


def helper(case: Case) -> Probe:
    holder = case.holder
    r = case.api(holder.user).post(
        f"/access/houses/{holder.house.id}/helpers",
        {"name": "刘阿姨", "phone": "13911112222", "label": "保姆"},
    )
    assert r.status_code == 201, r.content
    person_id = r.json()["person_id"]
    code = (
        case.api(holder.user)
        .post(f"/access/people/{person_id}/pins", {"house_id": holder.house.id})
        .json()["pin"]
    )

    def online():
        answer = case.decide("door", method="pin", house=holder.house.id, pin=code)
        return answer["reason"], answer["message"]

    assert online()[0] == "granted"
    return Probe(online, "door", lambda sim: sim.decide("pin", house=holder.house.id, pin=code).reason)


def vehicle(case: Case) -> Probe:
    body = {"plate": "京B54321"}
    if case.holder.house is not None:
        body["house_id"] = case.holder.house.id
    r = case.api(case.world.staff).post(f"/people/{case.holder.person.id}/vehicles", body)
    assert r.status_code == 201, r.content
    # a barrier that takes no temporary cars: a car without a right is refused, not parked
    services.do_update_point(actor=case.world.admin, point=case.site.barrier, allow_temporary_parking=False)

    def online():
        r = case.api(token=case.site.token("barrier")).post("/access/plate-events", {"plate": "京B54321"})
        assert r.status_code == 200, r.content
        return r.json()["reason"], r.json()["message"]

    assert online()[0] == "resident_vehicle"
    return Probe(online)  # plates are read online only (docs/terminals.md)


def intercom(case: Case) -> Probe:
    """A visitor rings the house just before the end; the holder taps 开门 just after."""
    if case.clock_before_end is not None:
        case.clock.set(case.clock_before_end)
    call = services.do_start_call(terminal=case.site.terminal("gate"), house=case.holder.house)

    def online():
        r = case.api(case.holder.user).post(f"/access/intercom/calls/{call.id}/open")
        assert r.status_code == 403, r.content
        return r.json()["code"], r.json()["message"]

    return Probe(online)


RIGHTS = {
    "card": card,
    "pin": pin,
    "face": face,
    "visitor_pass": visitor_pass,
    "helper": helper,
    "vehicle": vehicle,
    "intercom": intercom,
}
STAFF_RIGHTS = ("card", "face", "visitor_pass", "vehicle")  # no house: no PIN, helper or intercom


def expected(kind: str, ending: str) -> str:
    own = Reason.GRANT_EXPIRED if ending == "lease_by_date" else Reason.SOURCE_ENDED  # unchanged contract
    return {
        "card": own,
        "pin": own,
        "face": own,
        "visitor_pass": Reason.PASS_ISSUER_LEFT if ending == "staff_role_ended" else Reason.PASS_HOST_LEFT,
        "helper": Reason.HELPER_HOST_LEFT,
        "vehicle": Reason.VEHICLE_OWNER_LEFT,
        "intercom": Reason.INTERCOM_ANSWERER_LEFT,
    }[kind]


TABLE = [
    pytest.param(kind, ending, id=f"{kind}-{ending}")
    for ending in ENDINGS
    for kind in RIGHTS
    if ending != "staff_role_ended" or kind in STAFF_RIGHTS
]


@pytest.mark.parametrize(("kind", "ending"), TABLE)
def test_it_ends_every_right_with_its_source(kind, ending, world, site, api, sim, clock):
    holder_of, end_source = ENDINGS[ending]
    case = Case(world, site, api, sim, clock, holder_of(world, site))
    if ending == "lease_by_date":
        last_day = world.lease.valid_to
        case.clock_before_end = local(last_day.year, last_day.month, last_day.day, 23, 59)
    probe = RIGHTS[kind](case)
    terminal = sim(probe.offline_terminal) if probe.offline_terminal else None
    if terminal is not None:
        age_changes()
        terminal.sync()  # a full snapshot while the right is live
        assert probe.offline(terminal) in ("granted", "visitor_pass")  # online, so far
        age_changes()

    end_source(case)

    reason = expected(kind, ending)
    assert probe.online() == (reason, str(LABELS[reason]))
    if probe.listed is not None:
        assert probe.listed() == ("ended", reason, str(LABELS[reason]))
    if terminal is not None:
        delta = terminal.sync()  # the terminal's next poll, right after the end
        assert delta["full"] is False
        terminal.transport.online = False
        assert probe.offline(terminal) == reason


def test_it_keeps_the_pass_check_cheap_and_the_list_constant(
    world, site, api, django_assert_max_num_queries, django_assert_num_queries
):
    """The source check rides in the pass's conditional update: opening costs no extra query,
    refusing one read; the holder's list says why for every row in one query."""
    until = (timezone.now() + timedelta(days=2)).isoformat()
    tokens = [
        api(world.tenant)
        .post(f"/access/houses/{world.house.id}/passes", {"visitor_name": f"客{n}", "valid_until": until})
        .json()["token"]
        for n in range(10)
    ]
    gate = api(token=site.token("gate"))
    # terminal (+ last seen), keys, the use (its source check inside), event, savepoints:
    # one fewer than before the source check existed (the UPDATE says whether it was the last use)
    with django_assert_max_num_queries(9):
        assert gate.post("/access/decide", {"method": "qr", "qr": tokens[0]}).json()["allow"] is True
    end(Case(world, site, api, None, None, None), world.owner, world.lease, "lease_ended_early")
    with django_assert_max_num_queries(15):  # + one read of why; the rest: a first security event
        assert (
            gate.post("/access/decide", {"method": "qr", "qr": tokens[1]}).json()["reason"]
            == "pass_host_left"
        )
    tenant = api(world.tenant)
    with django_assert_max_num_queries(6):  # sign-in and scope, then one query for all ten rows
        listed = tenant.get("/access/me/passes").json()
    assert {p["status"] for p in listed} == {"ended"} and len(listed) == 10


def test_it_keeps_a_pass_registered_by_an_operator_while_they_are_one(world, site, api):
    """An operator acts without a membership: their pass lasts while they are an operator."""
    issued = api(world.operator).post(f"/access/houses/{world.house.id}/passes", {"visitor_name": "巡检"})
    assert issued.status_code == 201, issued.content
    gate = api(token=site.token("gate"))
    assert gate.post("/access/decide", {"method": "qr", "qr": issued.json()["token"]}).json()["allow"] is True
    world.operator.is_operator = False
    world.operator.save(update_fields=["is_operator"])
    refused = gate.post("/access/decide", {"method": "qr", "qr": issued.json()["token"]}).json()
    assert refused["reason"] == "pass_issuer_left"


def test_it_keeps_a_care_rule_when_its_setter_leaves_but_stops_telling_them(world, site, api, clock):
    """A care rule protects the elderly person, so it outlives the grid worker who set it (the
    community's rule, not theirs); what ends with their role is being told about the person."""
    from linli.access.models import CareRule
    from linli.notify.models import Notification
    from linli.registry.services import do_add_care_tag

    do_add_care_tag(
        actor=world.grid_worker,
        person=world.owner_person,
        kind="elderly_alone",
        consent_by="王建国",
        consent_method="书面",
    )
    services.do_issue_card(actor=world.front_desk, person=world.owner_person, number="CA4E0009")
    r = api(world.grid_worker).post(
        f"/access/people/{world.owner_person.id}/care-rules", {"kind": "not_back", "hours": 2}
    )
    assert r.status_code == 201, r.content
    start = clock.set(timezone.now())
    assert (
        api(token=site.token("gate_out"))
        .post("/access/decide", {"method": "card", "card": "CA4E0009"})
        .json()["allow"]
    )
    Membership.objects.filter(user=world.grid_worker).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    clock.set(start + timedelta(hours=2, minutes=1))
    assert services.evaluate_care_rules() == 1
    assert CareRule.objects.get(pk=r.json()["id"]).is_active
    told = set(Notification.objects.filter(kind="access.care_alert").values_list("recipient_id", flat=True))
    assert told == {world.tenant.id}  # the family; no longer the former grid worker


def test_it_materialises_ended_passes_without_changing_the_answer(world, site, api, clock):
    """The scheduler job revokes what already refuses (for lists, audit and terminals); the
    reason stays the same before and after it ran."""
    from linli.access import rights
    from linli.access.models import ChangeLog, VisitorPass

    until = (timezone.now() + timedelta(days=5)).isoformat()
    issued = (
        api(world.tenant)
        .post(f"/access/houses/{world.house.id}/passes", {"visitor_name": "客", "valid_until": until})
        .json()
    )
    lease_runs_out(Case(world, site, api, None, clock, None))
    scan = {"method": "qr", "qr": issued["token"]}
    before = api(token=site.token("gate")).post("/access/decide", scan).json()["reason"]
    assert rights.end_rights(timezone.now()) == {"visitor_pass": 1}
    assert rights.end_rights(timezone.now()) == {"visitor_pass": 0}  # idempotent
    stored = VisitorPass.objects.get(pk=issued["id"])
    assert (stored.revoked_at is not None, stored.revoke_reason) == (True, "pass_host_left")
    assert ChangeLog.objects.filter(kind="pass", ref_id=stored.pk).exists()
    after = api(token=site.token("gate")).post("/access/decide", scan).json()["reason"]
    assert before == after == "pass_host_left"
    mine = api(world.tenant).get("/access/me/passes").json()[0]
    assert (mine["status"], mine["ended_reason"]) == ("ended", "pass_host_left")
