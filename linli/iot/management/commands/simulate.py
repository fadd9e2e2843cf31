"""`linli simulate`: realistic devices of every kind, with anomalies, over MQTT or HTTP
(docs/devices.md, "Simulator"). For the demo, the tests and the benchmarks: it rotates the
tokens of the devices it drives, which are only those marked simulated."""

import json
import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from linli.core.models import Community
from linli.iot.services.devices import ensure_profiles, register_simulated
from linli.iot.simulator.fleet import Fleet
from linli.iot.simulator.run import Simulation, realistic_rate
from linli.iot.simulator.scenarios import SCENARIOS
from linli.iot.simulator.transport import HttpSender, MqttSender


class Command(BaseCommand):
    help = "Drive the community's simulated devices over MQTT or HTTP, with anomalies."

    def add_arguments(self, parser):
        parser.add_argument(
            "--community",
            default=None,
            help="the community's code (default: the first with simulated devices)",
        )
        parser.add_argument("--transport", choices=("mqtt", "http"), default=None)
        parser.add_argument("--broker", default=settings.LINLI_MQTT_URL)
        parser.add_argument("--url", default=settings.LINLI_PUBLIC_URL, help="linli's address, for HTTP")
        parser.add_argument(
            "--rate", type=float, default=None, help="messages a second in all (0: as fast as possible)"
        )
        parser.add_argument("--duration", type=float, default=None, help="seconds (default: until stopped)")
        parser.add_argument(
            "--devices", type=int, default=0, help="register this many more simulated devices"
        )
        parser.add_argument("--anomaly", action="append", default=[], choices=sorted(SCENARIOS))
        parser.add_argument(
            "--dwell", type=float, default=300, help="how long the car stays in the fire lane (s)"
        )
        parser.add_argument(
            "--anomaly-every", type=float, default=None, help="play the anomalies again every N s"
        )

    def handle(
        self, *args, community, transport, broker, url, rate, duration, devices, anomaly, dwell, **options
    ):
        communities = (
            Community.objects.filter(code=community)
            if community
            else Community.objects.filter(iot_devices__simulated=True)
        )
        found = communities.order_by("id").first()
        if found is None:
            raise CommandError(
                f"no community {community!r}" if community else "no community has simulated devices"
            )
        community = found.code
        ensure_profiles(found.pk)
        if devices:
            register_simulated(found.pk, devices)
        fleet = Fleet.load(found.pk)
        if not fleet.devices:
            raise CommandError("the community has no simulated devices (seed the demo, or pass --devices N)")
        self.stderr.write(
            f"simulate: {len(fleet.devices)} simulated devices of {community}; their tokens were rotated"
        )
        transport = transport or ("mqtt" if broker else "http")
        if transport == "mqtt" and not broker:
            raise CommandError("MQTT needs --broker mqtt://host:1883 or LINLI_MQTT_URL")
        sender = MqttSender(broker) if transport == "mqtt" else HttpSender(url)
        simulation = Simulation(
            fleet,
            sender,
            rate=realistic_rate(fleet) if rate is None else rate,
            anomalies=anomaly,
            dwell=dwell,
            every=options["anomaly_every"],
        )
        signal.signal(signal.SIGTERM, _stop)
        try:
            result = simulation.run(duration)
        except KeyboardInterrupt:
            result = {"sent": simulation.sent}
        finally:
            sender.close()
        self.stdout.write(json.dumps(result))


def _stop(signum, frame):
    raise KeyboardInterrupt  # `linli serve` stops its children with SIGTERM: end like Ctrl-C
