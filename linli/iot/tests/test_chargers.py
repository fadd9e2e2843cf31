"""E-bike charging (PARK-3) as residents and a charger on the HTTP ingest live it: a resident
sees the free ports, starts a session for an hour, the charger reports charging, then stops
when the time is up or the battery is full; a power cut interrupts a session and linli asks
the charger to go on for the minutes that were left; a card held to the reader charges the
card holder's home; the day's sessions become one bill for the house."""

import math
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from linli.access.services import do_issue_card
from linli.billing.choices import FeeKind
from linli.billing.models import Bill
from linli.iot.choices import CommandStatus, SessionStatus
from linli.iot.models import ChargingSession, Command
from linli.iot.services import chargers, charging_bills, ocpp_sessions, upkeep
from linli.testing import billing_money, iot

INGEST = "/api/v1/iot/ingest/a/ev-b1/status"


@pytest.fixture
def ev(world):
    return iot.chargers(world)


def report(client, ev, ts: float, **fields):
    r = client.post(INGEST, iot.body(ev.tokens["ev-b1"], ts=ts, **fields), content_type="application/json")
    assert r.status_code == 202, r.content
    return r


def ports(*states, **extra):
    """ports("free", "charging") → port 1 free, port 2 charging; extra: {port: {field: value}}."""
    out = []
    for number, state in enumerate(states, start=1):
        port = {"port": number, "state": state, "power": 180.0 if state == "charging" else 0}
        port.update(extra.get(f"p{number}", {}))
        out.append(port)
    return out


def start(api, world, ev, port=2, minutes=60):
    return api(world.owner).post(
        "/iot/charging/sessions",
        {"device": ev.ebike.pk, "port": port, "house": world.house.pk, "minutes": minutes},
    )


@pytest.mark.django_db
def test_a_resident_starts_an_hour_sees_the_countdown_and_pays_for_the_hour(client, api, world, ev):
    t0 = time.time() - 4000
    report(client, ev, t0, ports=ports("free", "free", "free", "charging"))
    listed = api(world.owner).get(f"/iot/charging/chargers?community={world.a.id}").json()
    bike = next(c for c in listed if c["id"] == ev.ebike.pk)
    assert (bike["online"], bike["free_ports"]) == (True, 3)

    r = start(api, world, ev)
    assert r.status_code == 201, r.content
    session = r.json()
    assert (session["status"], session["planned_minutes"], session["via"]) == ("starting", 60, "scan")
    command = Command.objects.get(device=ev.ebike)
    assert (command.name, command.params) == ("start", {"port": 2, "minutes": 60})

    report(client, ev, t0 + 5, ports=ports("free", "charging", "free", "charging"))
    mine = api(world.owner).get(f"/iot/charging/sessions/{session['id']}").json()
    assert mine["status"] == "charging"
    ends = datetime.fromisoformat(mine["ends_at"])
    assert abs(ends.timestamp() - (t0 + 5 + 3600)) < 1, "the countdown runs from when it started charging"

    report(client, ev, t0 + 3605, ports=ports("free", "free", "free", "charging", p2={"stop": "time_up"}))
    done = ChargingSession.objects.get(pk=session["id"])
    assert (done.status, done.stop_reason, done.amount_fen) == ("done", "time_up", 100)
    assert api(world.owner).get("/iot/charging/sessions/mine").json()[0]["amount_fen"] == 100


@pytest.mark.django_db
def test_a_full_battery_stops_early_and_the_resident_pays_for_the_minutes_charged(client, api, world, ev):
    t0 = time.time() - 4000
    report(client, ev, t0, ports=ports("free", "free"))
    session_id = start(api, world, ev, minutes=240).json()["id"]
    report(client, ev, t0 + 10, ports=ports("free", "charging"))
    report(client, ev, t0 + 10 + 1800, ports=ports("free", "free", p2={"stop": "full", "energy_wh": 412}))
    done = ChargingSession.objects.get(pk=session_id)
    assert (done.stop_reason, done.energy_wh, done.amount_fen) == ("full", 412, 50)


@pytest.mark.django_db
def test_a_power_cut_pauses_the_countdown_and_the_charger_is_asked_to_go_on(client, api, world, ev):
    t0 = time.time() - 3 * 3600
    report(client, ev, t0, ports=ports("free", "free"))
    session_id = start(api, world, ev, minutes=60).json()["id"]
    report(client, ev, t0 + 60, ports=ports("free", "charging"))  # charging from t0+60
    report(client, ev, t0 + 600, ports=ports("free", "charging"))  # the last word before the cut
    Command.objects.update(status=CommandStatus.ACKED)

    upkeep.mark_offline(timezone.now())
    chargers.sweep(timezone.now())
    cut = ChargingSession.objects.get(pk=session_id)
    assert cut.status == SessionStatus.INTERRUPTED
    assert abs(cut.interrupted_at.timestamp() - (t0 + 600)) < 1

    # Power is back: the charger rebooted with every port free and no word of why.
    report(client, ev, t0 + 2400, ports=ports("free", "free"))
    resume = Command.objects.filter(device=ev.ebike, status=CommandStatus.PENDING).get()
    assert resume.params == {"port": 2, "minutes": 51}, "the 51 minutes that were left"
    report(client, ev, t0 + 2410, ports=ports("free", "free"))
    assert Command.objects.filter(device=ev.ebike, status=CommandStatus.PENDING).count() == 1, "asked once"

    report(client, ev, t0 + 2420, ports=ports("free", "charging"))
    back = ChargingSession.objects.get(pk=session_id)
    assert back.status == SessionStatus.CHARGING
    assert back.paused_s == 1820
    assert abs(back.ends_at.timestamp() - (t0 + 60 + 3600 + 1820)) < 1

    report(client, ev, t0 + 60 + 3600 + 1820, ports=ports("free", "free", p2={"stop": "time_up"}))
    done = ChargingSession.objects.get(pk=session_id)
    assert (done.status, done.amount_fen) == ("done", 100), "the hour bought, not the cut"


@pytest.mark.django_db
def test_a_card_held_to_the_reader_charges_the_card_holders_home(client, world, ev):
    do_issue_card(actor=world.front_desk, person=world.owner_person, number="0B5E0001")
    t0 = time.time() - 100
    report(client, ev, t0, ports=ports("free", "free", "free"))
    report(client, ev, t0 + 1, card="0B5E0001", port=3)
    session = ChargingSession.objects.get()
    assert (session.via, session.house_id, session.person_id) == (
        "card",
        world.house.pk,
        world.owner_person.pk,
    )
    assert session.planned_minutes == chargers.tariff_of(world.a.id).ebike_max_minutes, "until full"
    assert Command.objects.get(device=ev.ebike).params == {"port": 3, "minutes": session.planned_minutes}

    report(client, ev, t0 + 2, card="FFFF0000", port=1)  # nobody's card
    report(client, ev, t0 + 3, card="0B5E0001", port=3)  # the port is taken
    assert ChargingSession.objects.count() == 1


@pytest.mark.django_db
def test_what_a_resident_may_not_do_is_refused_in_chinese(client, api, world, ev):
    t0 = time.time() - 100
    report(client, ev, t0, ports=ports("free", "fault"))
    assert start(api, world, ev, port=1).status_code == 201
    busy = start(api, world, ev, port=1)
    assert (busy.status_code, busy.json()["code"]) == (409, "port_busy")
    assert "端口" in busy.json()["message"]
    assert start(api, world, ev, port=2).json()["code"] == "port_busy", "a faulty port"
    assert start(api, world, ev, port=9).json()["code"] == "unknown_port"
    too_long = start(api, world, ev, port=1, minutes=1440)
    assert too_long.status_code in (400, 409)

    neighbour = api(world.neighbour).post(
        "/iot/charging/sessions", {"device": ev.ebike.pk, "port": 1, "house": world.house.pk}
    )
    assert neighbour.status_code == 403, "not the neighbour's home to charge to"
    session_id = ChargingSession.objects.get().pk
    assert api(world.neighbour).post(f"/iot/charging/sessions/{session_id}/stop").status_code == 404
    assert api(world.outsider).get(f"/iot/charging/chargers?community={world.a.id}").status_code == 404

    stopped = api(world.owner).post(f"/iot/charging/sessions/{session_id}/stop")
    assert (stopped.status_code, stopped.json()["stop_reason"]) == (200, "resident")
    assert Command.objects.filter(name="stop", params={"port": 1}).exists()
    again = api(world.owner).post(f"/iot/charging/sessions/{session_id}/stop")
    assert again.json()["code"] == "session_ended"


@pytest.mark.django_db
def test_bad_port_reports_are_refused_alone(client, api, world, ev):
    t0 = time.time() - 100
    report(client, ev, t0, ports=[{"port": "one", "state": "free"}])
    report(client, ev, t0 + 1, ports=[{"port": 1, "state": "exploded"}, 7])
    report(client, ev, t0 + 2, ports=ports("free"))
    charger = api(world.owner).get(f"/iot/charging/chargers/{ev.ebike.pk}").json()
    assert [p["state"] for p in charger["ports"]] == ["free"]


@pytest.mark.django_db
def test_a_start_nobody_answers_fails_and_costs_nothing(client, api, world, ev):
    report(client, ev, time.time() - 60, ports=ports("free", "free"))
    session_id = start(api, world, ev).json()["id"]
    Command.objects.update(status=CommandStatus.TIMED_OUT)
    assert chargers.sweep(timezone.now())["failed"] == 1
    failed = ChargingSession.objects.get(pk=session_id)
    assert (failed.status, failed.stop_reason, failed.amount_fen) == ("failed", "no_answer", 0)


@pytest.mark.django_db
def test_the_clock_ends_what_no_report_ends(client, api, world, ev):
    """Time that ran out on a charger that never said so is stopped and paid for to the end; a
    power cut that lasts past 12 hours ends the session as a fault, charged to the cut."""
    now = timezone.now()
    report(client, ev, time.time(), ports=ports("free", "free"))
    over = start(api, world, ev, port=1, minutes=60).json()["id"]
    cut = start(api, world, ev, port=2, minutes=60).json()["id"]
    ChargingSession.objects.filter(pk=over).update(
        status="charging", started_at=now - timedelta(minutes=70), ends_at=now - timedelta(minutes=10)
    )
    ChargingSession.objects.filter(pk=cut).update(
        status="interrupted",
        started_at=now - timedelta(hours=14),
        ends_at=now - timedelta(hours=13),
        interrupted_at=now - timedelta(hours=13, minutes=30),
    )
    Command.objects.update(status=CommandStatus.ACKED)

    assert chargers.sweep(now) == {"failed": 0, "interrupted": 0, "time_up": 1, "abandoned": 1}
    ended = ChargingSession.objects.get(pk=over)
    assert (ended.status, ended.stop_reason, ended.amount_fen) == ("done", "time_up", 100), "the hour"
    assert Command.objects.filter(device=ev.ebike, name="stop", params={"port": 1}).count() == 1
    abandoned = ChargingSession.objects.get(pk=cut)
    assert (abandoned.stop_reason, abandoned.amount_fen) == ("fault", 50), "30 minutes until the cut"
    assert chargers.sweep(now)["time_up"] == 0, "ended once"


@pytest.mark.django_db
def test_a_card_at_a_car_charger_starts_once_per_connector(world):
    car = iot.chargers(world).car
    do_issue_card(actor=world.front_desk, person=world.owner_person, number="0B5E0002")
    at = timezone.now()
    first = ocpp_sessions.start(car.pk, 1, "0B5E0002", 1000, at)
    assert ChargingSession.objects.get(pk=first).house_id == world.house.pk
    assert ocpp_sessions.start(car.pk, 1, "0B5E0002", 1000, at) is None, "the connector is taken"
    assert ocpp_sessions.start(car.pk, 2, "FFFF0000", 1000, at) is None, "nobody's card"
    assert ChargingSession.objects.count() == 1


@pytest.mark.django_db
def test_yesterdays_sessions_become_one_bill_for_the_house(client, api, world, ev):
    item = billing_money.fee_item(world.a, kind=FeeKind.ONE_OFF, name="充电费", price="0")
    tariff = api(world.staff).put(
        f"/iot/charging/tariff?community={world.a.id}",
        {"ebike_fen_per_hour": 120, "ebike_max_minutes": 480, "car_fen_per_kwh": 150, "fee_item": item.pk},
    )
    assert tariff.status_code == 200, tariff.content
    refused = api(world.technician).put(
        f"/iot/charging/tariff?community={world.a.id}",
        {"ebike_fen_per_hour": 1, "ebike_max_minutes": 480, "car_fen_per_kwh": 150},
    )
    assert refused.status_code in (403, 404)

    # Noon of yesterday's local date: at 22:35 a day back plus 95 minutes would already be today.
    yesterday = timezone.make_aware(
        datetime.combine(timezone.localdate() - timedelta(days=1), datetime.min.time())
    )
    yesterday += timedelta(hours=12)
    amounts = []
    for port, minutes in ((1, 50), (2, 95)):
        s = chargers.open_session(
            device=ev.ebike,
            port=port,
            house_id=world.house.pk,
            person_id=None,
            user_id=None,
            via="scan",
            minutes=120,
        )
        ChargingSession.objects.filter(pk=s.pk).update(status="charging", started_at=yesterday)
        chargers.finish(s, "full", yesterday + timedelta(minutes=minutes))
        amounts.append(math.ceil(minutes * 60 * 120 / 3600))
    today = chargers.open_session(
        device=ev.ebike, port=3, house_id=world.house.pk, person_id=None, user_id=None, via="scan", minutes=60
    )
    ChargingSession.objects.filter(pk=today.pk).update(status="charging", started_at=timezone.now())
    chargers.finish(today, "full", timezone.now())

    assert charging_bills.bill_due(timezone.now()) == {"bills": 1, "sessions": 2, "refused": 0}
    bill = Bill.objects.get(fee_item=item)
    assert (bill.house_id, bill.amount_fen) == (world.house.pk, sum(amounts))
    assert "充电 2 次" in bill.lines[0]["note"]
    assert set(ChargingSession.objects.exclude(pk=today.pk).values_list("bill_id", flat=True)) == {bill.pk}
    assert ChargingSession.objects.get(pk=today.pk).bill_id is None, "today's waits for tomorrow"
    assert charging_bills.bill_due(timezone.now())["bills"] == 0
    assert Bill.objects.filter(fee_item=item).count() == 1


def test_the_simulated_charger_reports_why_a_port_stopped_once():
    from random import Random

    from linli.iot.simulator.fleet import SimDevice, charger_ports

    device = SimDevice("a", "ev", "ebike_charger", "t")
    now = datetime(2026, 12, 6, tzinfo=UTC).timestamp()
    device.charging_until[2] = now + 60
    assert [p["state"] for p in charger_ports(device, now, Random(1))][:3] == ["free", "charging", "free"]
    later = charger_ports(device, now + 61, Random(1))
    assert later[1] == {"port": 2, "state": "free", "power": 0, "stop": "time_up"}
    assert "stop" not in charger_ports(device, now + 62, Random(1))[1]
