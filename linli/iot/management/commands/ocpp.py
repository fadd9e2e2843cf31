"""`linli ocpp`: the OCPP 1.6J central system car chargers connect to (docs/devices.md)."""

import asyncio

from django.conf import settings
from django.core.management.base import BaseCommand

from linli.iot.ocpp.server import Server


class Command(BaseCommand):
    help = (
        "Serve OCPP 1.6J (JSON over WebSocket) for car chargers at ws://HOST:PORT/ocpp/<community>/<device>."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="0.0.0.0")
        parser.add_argument("--port", type=int, default=settings.LINLI_OCPP_PORT)

    def handle(self, *args, host, port, **options):
        self.stdout.write(f"OCPP 1.6J central system on ws://{host}:{port}/ocpp/<community>/<device>")
        asyncio.run(Server().run(host, port))
