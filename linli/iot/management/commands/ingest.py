"""`linli ingest`: the MQTT ingest worker (docs/devices.md). Run one or more; they share the
load through an MQTT 5 shared subscription."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from linli.iot.ingest.mqtt import serve


class Command(BaseCommand):
    help = "Receive device messages from the MQTT broker (LINLI_MQTT_URL) and evaluate the rules."

    def add_arguments(self, parser):
        parser.add_argument("--broker", default=settings.LINLI_MQTT_URL, help="mqtt://host:1883")
        parser.add_argument("--name", default=None, help="this worker's name (default: host and pid)")
        parser.add_argument(
            "--no-share", action="store_true", help="a plain subscription (MQTT 3.1.1 brokers)"
        )

    def handle(self, *args, broker, name, no_share, **options):
        if not broker:
            raise CommandError("no broker: set LINLI_MQTT_URL or pass --broker mqtt://host:1883")
        serve(broker, name=name, shared=not no_share)
