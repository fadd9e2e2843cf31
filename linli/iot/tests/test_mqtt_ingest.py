"""The MQTT path end to end against a real broker (Mosquitto in CI): a device publishes, the
ingest worker (its asyncio loop and database thread, as `linli ingest` runs them) stores the
readings, raises the alarm and publishes the linkage command, which the fan receives on its
command topic; a bad message between good ones does not stop the worker."""

import os
import time
import uuid

import orjson
import paho.mqtt.client as paho
import pytest
from django.db import connection

from linli.core.models import Community
from linli.iot.choices import CommandStatus
from linli.iot.models import Alarm, Command, DeviceState, Reading
from linli.testing import iot
from linli.testing import workorders as wo
from linli.testing.mqtt import Running, wait_for

BROKER = os.environ.get("LINLI_MQTT_URL", "")
pytestmark = [
    pytest.mark.mqtt,
    pytest.mark.skipif(not BROKER, reason="needs an MQTT broker: LINLI_MQTT_URL (set by .ci/run)"),
]


@pytest.mark.django_db(transaction=True)
def test_co_over_mqtt_raises_the_alarm_and_the_fan_gets_its_command(world):
    code = f"t{uuid.uuid4().hex[:10]}"  # test processes share the broker: a community of its own
    Community.objects.filter(pk=world.a.pk).update(code=code)
    wo.crew(world)
    site = iot.site(world)
    connection.close()  # the worker's database thread opens its own

    fan = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"fan-{code}")
    received = []
    fan.on_message = lambda c, u, m: received.append(orjson.loads(m.payload))
    host, port = BROKER.removeprefix("mqtt://").split(":")
    fan.connect(host, int(port))
    fan.subscribe(f"linli/{code}/fan-b1/command", qos=1)
    fan.loop_start()
    device = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"co-{code}")
    device.connect(host, int(port))
    device.loop_start()
    token = site.tokens["co-b1"]
    topic = f"linli/{code}/co-b1/telemetry"
    try:
        with Running(BROKER, shared=False) as worker:
            start = time.time() - 200
            for offset, co in ((0, 80), (60, 95)):
                device.publish(
                    topic, iot.body(token, ts=start + offset, values={"co": co}), qos=1
                ).wait_for_publish()
            device.publish(topic, b"{broken", qos=1).wait_for_publish()
            device.publish(topic, iot.body("lnd_not_mine", values={"co": 1}), qos=1).wait_for_publish()
            device.publish(
                topic, iot.body(token, ts=start + 130, values={"co": 90}), qos=1
            ).wait_for_publish()

            assert wait_for(lambda: Alarm.objects.filter(device=site.co, type="co_high").exists()), (
                worker.ingest.counters
            )
            assert wait_for(lambda: received), "the fan got no command"
            command = received[0]
            assert command["name"] == "fan_on"
            fan.publish(
                f"linli/{code}/fan-b1/status",
                iot.body(site.tokens["fan-b1"], command=command["id"], result="ok"),
                qos=1,
            ).wait_for_publish()
            assert wait_for(
                lambda: Command.objects.filter(uid=command["id"], status=CommandStatus.ACKED).exists()
            )
            assert wait_for(lambda: Reading.objects.filter(device=site.co).count() == 3)
            assert worker.ingest.counters["malformed"] == 1 and worker.ingest.counters["bad_token"] == 1
    finally:
        fan.loop_stop()
        device.loop_stop()
    state = DeviceState.objects.get(device=site.co)
    assert state.online and state.values == {"co": 90.0} and state.rejected == 2
