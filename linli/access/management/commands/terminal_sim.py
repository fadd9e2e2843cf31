"""`linli terminal-sim` (also `terminal_sim`): a simulated door terminal for the demo and tests.

    python -m linli terminal-sim --url http://127.0.0.1:8000 --token lnt_… sync
    python -m linli terminal-sim --token lnt_… card 04A1B2C3
    python -m linli terminal-sim --token lnt_… pin 17 123456        # house id, PIN
    python -m linli terminal-sim --token lnt_… qr <token>
    python -m linli terminal-sim --token lnt_… --offline card 04A1B2C3   # as if the network were down
    python -m linli terminal-sim --token lnt_… upload
    python -m linli terminal-sim --token lnt_… run --seconds 60

State (snapshot, buffered events) is kept in --state (default var/terminal-sim-<token prefix>.json).
Each action prints one JSON line.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from linli.access.sim import Refused, TerminalSimulator, Unreachable, transport_for


class OfflineTransport:
    """Every request fails as if the cable were pulled."""

    def request(self, method, path, body=None):
        raise Unreachable("offline (--offline)")


class Command(BaseCommand):
    help = "Simulated access terminal speaking the linli terminal protocol (docs/terminals.md)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default=settings.LINLI_PUBLIC_URL)
        parser.add_argument("--token", default="", help="the terminal's bearer secret (lnt_…)")
        parser.add_argument("--terminal-id", type=int, default=0, help="for signed requests")
        parser.add_argument(
            "--key-file", default="", help="base64url Ed25519 private key, for signed requests"
        )
        parser.add_argument("--state", default="", help="state file (snapshot and buffered events)")
        parser.add_argument("--offline", action="store_true", help="decide locally, as if unreachable")
        parser.add_argument("--seconds", type=float, default=30.0, help="how long `run` runs")
        parser.add_argument(
            "action", choices=["sync", "card", "pin", "qr", "upload", "commands", "run", "status"]
        )
        parser.add_argument(
            "values", nargs="*", help="the credential: card number | house id and PIN | QR token"
        )

    def handle(self, *args, **opts):
        if not opts["token"] and not opts["key_file"]:
            raise CommandError("--token or --key-file with --terminal-id is required")
        name = (opts["token"][:12] or f"t{opts['terminal_id']}").replace("/", "_")
        state = Path(opts["state"] or Path(settings.VAR_DIR) / f"terminal-sim-{name}.json")
        transport = (
            OfflineTransport()
            if opts["offline"]
            else transport_for(opts["url"], opts["token"], opts["terminal_id"], opts["key_file"])
        )
        sim = TerminalSimulator.load(transport, state)
        try:
            self._act(sim, opts["action"], opts["values"], opts["seconds"])
        except Refused as exc:
            raise CommandError(json.dumps(exc.body, ensure_ascii=False)) from exc
        except Unreachable as exc:
            raise CommandError(f"server unreachable: {exc}") from exc

    def _print(self, data) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, default=str))

    def _act(self, sim: TerminalSimulator, action: str, args: list[str], seconds: float) -> None:
        need = {"card": 1, "pin": 2, "qr": 1}.get(action, 0)
        if len(args) < need:
            raise CommandError(f"{action} needs {need} argument(s)")
        if action == "sync":
            self._print(sim.sync())
        elif action == "card":
            self._print(vars(sim.decide("card", card=args[0])))
        elif action == "pin":
            self._print(vars(sim.decide("pin", house=int(args[0]), pin=args[1])))
        elif action == "qr":
            self._print(vars(sim.scan_qr(args[0])))
        elif action == "upload":
            self._print(sim.upload())
        elif action == "commands":
            self._print(sim.commands())
        elif action == "status":
            s = sim.state
            self._print(
                {"version": s.version, "point": s.point, "entries": len(s.entries), "buffered": len(s.buffer)}
            )
        else:
            sim.run(seconds, on_line=self._print)
