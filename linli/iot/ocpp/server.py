"""The central system car chargers connect to over OCPP 1.6J (JSON over WebSocket).

A charger connects to `ws://<host>:<port>/ocpp/{community}/{device}` with the subprotocol
`ocpp1.6` and HTTP Basic authentication (OCPP security profile 1): the user is the device's
code, the password its token. The `ocpp` package parses and validates the messages; what they
mean for sessions is services/ocpp_sessions.py, run in one database thread so the event loop
never waits on the database. Commands for car chargers (RemoteStart/RemoteStopTransaction)
are rows like any device command: this server claims those of the chargers connected to it,
sends them and records the charger's answer.
"""

import asyncio
import base64
import binascii
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from http import HTTPStatus

from django.db import close_old_connections, connections
from django.utils import timezone
from ocpp.routing import on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action, AuthorizationStatus, RegistrationStatus, RemoteStartStopStatus
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request

from linli.iot.services import commands, ocpp_sessions

log = logging.getLogger(__name__)

SUBPROTOCOL = "ocpp1.6"
HEARTBEAT_S = 300
POLL_S = 0.5
ENERGY = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _when(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return timezone.now()


def _tag(accepted: bool) -> dict:
    return {"status": AuthorizationStatus.accepted if accepted else AuthorizationStatus.invalid}


def _sampled(meter_value: list) -> tuple[int | None, float | None]:
    """The last energy register (Wh) and power (W) among a MeterValues' samples."""
    energy = power = None
    for entry in meter_value:
        for sample in entry.get("sampled_value", []):
            measurand = sample.get("measurand", ENERGY)
            try:
                value = float(sample["value"])
            except (KeyError, TypeError, ValueError):
                continue
            factor = 1000 if sample.get("unit") in ("kWh", "kW") else 1
            if measurand == ENERGY:
                energy = int(value * factor)
            elif measurand == POWER:
                power = value * factor
    return energy, power


class CentralSystem(ChargePoint):
    """One connected charger."""

    def __init__(self, code: str, connection, device_id: int, server: "Server"):
        super().__init__(code, connection, response_timeout=20)
        self.device_id = device_id
        self.server = server

    async def db(self, fn, *args):
        return await self.server.db(fn, *args)

    @on(Action.boot_notification)
    async def on_boot(self, charge_point_vendor, charge_point_model, **_):
        await self.db(ocpp_sessions.seen, self.device_id)
        return call_result.BootNotification(
            current_time=_now(), interval=HEARTBEAT_S, status=RegistrationStatus.accepted
        )

    @on(Action.heartbeat)
    async def on_heartbeat(self):
        await self.db(ocpp_sessions.seen, self.device_id)
        return call_result.Heartbeat(current_time=_now())

    @on(Action.status_notification)
    async def on_status(self, connector_id, error_code, status, **_):
        await self.db(ocpp_sessions.connector_status, self.device_id, connector_id, status)
        return call_result.StatusNotification()

    @on(Action.authorize)
    async def on_authorize(self, id_tag):
        return call_result.Authorize(
            id_tag_info=_tag(await self.db(ocpp_sessions.authorize, self.device_id, id_tag))
        )

    @on(Action.start_transaction)
    async def on_start(self, connector_id, id_tag, meter_start, timestamp, **_):
        started = await self.db(
            ocpp_sessions.start, self.device_id, connector_id, id_tag, meter_start, _when(timestamp)
        )
        # A refused start still needs a transaction id on the wire; the charger must not charge.
        return call_result.StartTransaction(
            transaction_id=started or 0, id_tag_info=_tag(started is not None)
        )

    @on(Action.meter_values)
    async def on_meter(self, connector_id, meter_value, transaction_id=None, **_):
        energy, power = _sampled(meter_value)
        await self.db(ocpp_sessions.meter, self.device_id, transaction_id, energy, power)
        return call_result.MeterValues()

    @on(Action.stop_transaction)
    async def on_stop(self, meter_stop, timestamp, transaction_id, reason=None, **_):
        await self.db(
            ocpp_sessions.stop, self.device_id, transaction_id, meter_stop, _when(timestamp), reason
        )
        return call_result.StopTransaction(id_tag_info=_tag(True))


class Server:
    def __init__(self):
        # One thread: Django's connections are per thread, and the calls are short.
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ocpp-db")
        self.connected: dict[int, CentralSystem] = {}
        self.sending: set[asyncio.Task] = set()

    async def db(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.executor, _fresh, fn, *args)

    async def authenticate(self, connection: ServerConnection, request: Request):
        parts = request.path.strip("/").split("/")
        device_id = None
        if len(parts) == 3 and parts[0] == "ocpp":
            user, password = _basic(request.headers.get("Authorization", ""))
            if user == parts[2]:
                device_id = await self.db(ocpp_sessions.authenticate, parts[1], parts[2], password)
        if device_id is None:
            response = connection.respond(HTTPStatus.UNAUTHORIZED, "unknown charger or wrong password\n")
            response.headers["WWW-Authenticate"] = 'Basic realm="linli-ocpp"'
            return response
        connection.device_id = device_id  # type: ignore[attr-defined]
        return None

    async def handle(self, connection: ServerConnection) -> None:
        if connection.subprotocol != SUBPROTOCOL:
            await connection.close(1002, "ocpp1.6 only")
            return
        device_id = connection.device_id  # type: ignore[attr-defined]
        charger = CentralSystem(connection.request.path.rsplit("/", 1)[-1], connection, device_id, self)
        self.connected[device_id] = charger
        try:
            await charger.start()
        except ConnectionClosed:
            pass
        finally:
            if self.connected.get(device_id) is charger:
                del self.connected[device_id]

    async def send_commands(self) -> None:
        while True:
            await asyncio.sleep(POLL_S)
            if not self.connected:
                continue
            try:
                due = await self.db(commands.claim_for_ocpp, timezone.now(), list(self.connected))
            except Exception:
                log.exception("ocpp: claiming commands failed")
                continue
            for command in due:
                task = asyncio.create_task(self.send(command))
                self.sending.add(task)  # held until done: the loop keeps only weak references
                task.add_done_callback(self.sending.discard)

    async def send(self, command) -> None:
        charger = self.connected.get(command.device_id)
        if charger is None:
            return  # gone: the command is sent again on its next attempt, or times out
        p = command.params
        if command.name == "remote_start":
            request = call.RemoteStartTransaction(id_tag=p["id_tag"], connector_id=p.get("connector"))
        else:
            request = call.RemoteStopTransaction(transaction_id=p["transaction_id"])
        try:
            answer = await charger.call(request)
        except (TimeoutError, ConnectionClosed):
            return
        except Exception:
            log.exception("ocpp: %s to %s failed", command.name, charger.id)
            return
        status = getattr(answer, "status", "Rejected")
        await self.db(
            commands.answered,
            command.device_id,
            command.uid,
            status == RemoteStartStopStatus.accepted,
            status,
        )

    async def run(self, host: str, port: int, ready: asyncio.Event | None = None) -> None:
        async with serve(
            self.handle,
            host,
            port,
            subprotocols=[SUBPROTOCOL],
            process_request=self.authenticate,  # type: ignore[list-item]
        ) as server:
            self.port = server.sockets[0].getsockname()[1] if server.sockets else port
            if ready is not None:
                ready.set()
            try:
                await self.send_commands()
            finally:
                # The database thread's connection goes with the server (a stopped server must
                # not hold a session open on the database).
                await asyncio.get_running_loop().run_in_executor(self.executor, connections.close_all)


def _fresh(fn, *args):
    close_old_connections()
    return fn(*args)


def _basic(header: str) -> tuple[str | None, str]:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None, ""
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None, ""
    return user, password
