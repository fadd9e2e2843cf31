"""Ingest workers scale out through the MQTT 5 shared subscription, and survive the broker.

Against a Mosquitto of the test's own (a shared group on the broker every test process uses
would hand some of this test's messages to another process's workers): two workers split one
stream with nothing processed twice, and when the broker crashes and comes back they reconnect
and subscribe again by themselves, so what devices publish after the restart is stored."""

import time
import uuid

import paho.mqtt.client as paho
import psycopg
import pytest
from django.db import connection

from linli.core.models import Community
from linli.iot.choices import DeviceKind
from linli.iot.models import Reading
from linli.iot.services.devices import do_register_device, ensure_profiles
from linli.testing import iot
from linli.testing.legs import postgresql_leg_only
from linli.testing.mqtt import MOSQUITTO, Mosquitto, Running, subscribed, wait_for
from linli.testing.servers import database_url

pytestmark = [
    pytest.mark.mqtt,
    pytest.mark.skipif(not MOSQUITTO, reason="needs Debian's mosquitto (apt-get install mosquitto)"),
]
DEVICES = 4
PER_DEVICE = 10  # under the per-device burst, so the rate limit refuses none


@pytest.fixture
def broker(tmp_path):
    mosquitto = Mosquitto(tmp_path)
    mosquitto.start()
    yield mosquitto
    mosquitto.kill()


class Fleet:
    """CO detectors of a community of the test's own, publishing readings with QoS 1 (paho)."""

    def __init__(self, world, broker: Mosquitto):
        self.community = f"t{uuid.uuid4().hex[:10]}"
        Community.objects.filter(pk=world.a.pk).update(code=self.community)
        ensure_profiles(world.a.id)
        profile = iot.profile(world.a.id, DeviceKind.CO)
        self.tokens = {}
        for number in range(DEVICES):
            _device, self.tokens[f"co-{number}"] = do_register_device(
                actor=None,
                community_id=world.a.id,
                profile_id=profile.pk,
                code=f"co-{number}",
                name=f"车库 CO {number}",
                building_id=world.building.pk,
                floor=-1,
            )
        self.ts = time.time() - 3600  # each reading its own time
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"fleet-{self.community}")
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        connection.close()  # the workers' database threads open their own

    def round(self) -> int:
        """Each device publishes PER_DEVICE readings, interleaved; the number published."""
        for _ in range(PER_DEVICE):
            for code, token in self.tokens.items():
                self.ts += 1
                self.client.publish(
                    f"linli/{self.community}/{code}/telemetry",
                    iot.body(token, ts=self.ts, values={"co": 5}),
                    qos=1,
                ).wait_for_publish(10)
        return PER_DEVICE * len(self.tokens)

    def stored(self) -> int:
        return Reading.objects.filter(device__community__code=self.community).count()

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def accepted(*workers) -> list[int]:
    return [worker.ingest.counters["accepted"] for worker in workers]


@pytest.mark.django_db(transaction=True)
def test_two_workers_split_one_stream_and_store_each_message_once(world, broker):
    fleet = Fleet(world, broker)
    try:
        with Running(broker.url, shared=True) as one, Running(broker.url, shared=True) as two:
            published = fleet.round()
            assert wait_for(lambda: fleet.stored() >= published), fleet.stored()
    finally:
        fleet.close()
    # The workers stopped, each after a last flush: nothing more can arrive.
    assert fleet.stored() == published
    split = accepted(one, two)
    assert sum(split) == published and min(split) > 0, split


@pytest.mark.django_db(transaction=True)
def test_workers_subscribe_again_after_the_broker_restarted(world, broker):
    fleet = Fleet(world, broker)
    try:
        with Running(broker.url, shared=True) as one, Running(broker.url, shared=True) as two:
            before = fleet.round()
            assert wait_for(lambda: fleet.stored() >= before), fleet.stored()

            broker.kill()
            assert wait_for(lambda: not (one.connected.is_set() or two.connected.is_set()))
            broker.start()  # persistence off: it knows no session and no subscription
            assert wait_for(lambda: subscribed(one) and subscribed(two), 30), (
                "a worker did not subscribe again"
            )
            assert wait_for(fleet.client.is_connected, 30), "the devices did not reconnect"

            heard = accepted(one, two)
            after = fleet.round()
            assert wait_for(lambda: fleet.stored() >= before + after), fleet.stored()
    finally:
        fleet.close()
    assert fleet.stored() == before + after
    gained = [now - then for now, then in zip(accepted(one, two), heard, strict=True)]
    assert sum(gained) == after and min(gained) > 0, gained


@postgresql_leg_only("a connection of the worker's own to end: SQLite's file cannot be taken away")
@pytest.mark.django_db(transaction=True)
def test_a_worker_holds_what_it_hears_while_the_database_is_away_and_writes_it_after(world, broker):
    fleet = Fleet(world, broker)
    away, url = dict(connection.settings_dict), database_url()
    try:
        with Running(broker.url, shared=True) as worker:
            before = fleet.round()
            assert wait_for(lambda: fleet.stored() >= before), fleet.stored()

            # PostgreSQL goes away: the worker's session ends and no new one can be opened.
            connection.settings_dict["PORT"] = "1"
            with psycopg.connect(url) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            during = fleet.round()
            assert wait_for(lambda: worker.database_down), "the worker did not notice"
            assert worker.ingest.counters["accepted"] == before + during  # heard, held

            connection.settings_dict.update(away)  # back
            assert wait_for(lambda: not worker.database_down, 20), "the worker did not write again"
            connection.close()
            assert wait_for(lambda: fleet.stored() >= before + during), fleet.stored()
    finally:
        connection.settings_dict.update(away)
        fleet.close()
    assert fleet.stored() == before + during  # nothing lost, nothing twice
