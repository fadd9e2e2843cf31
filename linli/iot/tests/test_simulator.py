"""The simulator speaks the device contract: every kind's messages pass the real pipeline, and
each anomaly produces exactly the alarms, commands, broadcasts and work orders it should."""

import os
import time

import pytest
from django.core.management import call_command

from linli.iot.ingest.pipeline import Ingest
from linli.iot.models import Alarm, Broadcast, Command, Device, Profile
from linli.iot.services.devices import do_register_device, ensure_profiles
from linli.iot.simulator.fleet import Fleet, encode
from linli.iot.simulator.scenarios import timeline
from linli.testing import workorders as wo
from linli.workorders.models import Request


@pytest.fixture
def fleet(world):
    """One simulated device of every profile, in 1号楼."""
    wo.crew(world)
    ensure_profiles(world.a.id)
    for profile in Profile.objects.filter(community=world.a):
        do_register_device(
            actor=None,
            community_id=world.a.id,
            profile_id=profile.pk,
            code=f"sim-{profile.kind}",
            name=profile.name,
            building_id=world.building.pk,
            simulated=True,
        )
    return Fleet.load(world.a.id)


def replay(messages, clock_at):
    """Each message through the pipeline at its own time, then time runs on to `clock_at`."""
    now = [0.0]
    ingest = Ingest(clock=lambda: now[0])
    for at, community, device, channel, payload in messages:
        now[0] = at
        assert ingest.handle(community, device, channel, payload) == "ok", (device, payload)
        ingest.flush()
    now[0] = clock_at
    ingest.tick()
    return ingest.close()


@pytest.mark.django_db
def test_every_kind_speaks_the_contract(fleet):
    now = time.time()
    ingest = Ingest(clock=lambda: now)
    sent = list(fleet.messages(now))
    assert {code for _c, code, _ch, _p in sent} == {d.code for d in fleet.devices}
    assert [ingest.handle(c, code, ch, p) for c, code, ch, p in sent] == ["ok"] * len(sent)
    ingest.close()
    assert not Alarm.objects.exists()


@pytest.mark.django_db
def test_co_spike_turns_the_fans_on_and_opens_one_work_order(fleet):
    start = time.time() - 400
    spike = timeline("co_spike", fleet, start)  # 120 ppm at the start, back to 5 after 3 minutes
    still_high = (
        start + 130,
        *spike[0][1:4],
        encode(fleet.of_kind("co"), {"values": {"co": 120}}, start + 130),
    )
    replay(sorted([*spike, still_high]), start + 140)
    alarm = Alarm.objects.get()
    assert alarm.type == "co_high"
    assert Command.objects.get(device__code="sim-fan").name == "fan_on"
    assert Request.objects.filter(pk=alarm.request_id).count() == 1


@pytest.mark.django_db
def test_a_car_in_the_fire_lane_raises_one_alarm_and_broadcast_after_the_dwell_and_clears(fleet):
    start = time.time() - 900
    messages = timeline("fire_lane", fleet, start, dwell=700)
    replay(messages[:1], start + 601)
    alarm = Alarm.objects.get()
    assert alarm.type == "fire_lane" and alarm.status == "active"
    assert Broadcast.objects.count() == 1
    assert Command.objects.get(device__code="sim-speaker").name == "speak"
    replay(messages[1:], start + 701)
    assert Alarm.objects.get().status == "cleared"


@pytest.mark.django_db
def test_high_throw_keeps_the_floors_and_silent_leaves_the_device_out(fleet):
    start = time.time() - 60
    replay(timeline("high_throw", fleet, start), start + 1)
    assert Alarm.objects.get(type="high_throw").details["camera"] == {"floors": [12, 15], "face": "east"}
    timeline("silent", fleet, start)  # builds the steps; the run applies them
    pump = fleet.of_kind("water_pump")
    pump.silent = True
    assert pump.code not in {code for _c, code, _ch, _p in fleet.messages(time.time())}


@pytest.mark.django_db
@pytest.mark.skipif(not os.environ.get("LINLI_MQTT_URL"), reason="needs an MQTT broker: LINLI_MQTT_URL")
def test_the_command_publishes_to_the_broker(fleet, capsys):
    call_command("simulate", "--community", "a", "--transport", "mqtt", "--rate", "0", "--duration", "1")
    assert '"sent"' in capsys.readouterr().out
    assert Device.objects.filter(simulated=True).count() == len(fleet.devices)
