"""Car chargers over OCPP 1.6J, with the `ocpp` package acting as the charge point against the
central system as `linli ocpp` runs it (its event loop and database thread, here in a thread
of the test): a wrong password is turned away; the charger boots, reports its connector; a
resident starts charging from the phone (RemoteStartTransaction), the charger starts the
transaction, meters, and stops when the resident says so (RemoteStopTransaction); the energy
is what the session costs. A card's idTag is authorised for its holder, a stranger's is not."""

import asyncio
import base64
import threading
import time

import pytest
from django.db import connection
from ocpp.routing import on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action, RemoteStartStopStatus
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from linli.access.services import do_issue_card
from linli.iot.choices import CommandStatus, SessionStatus
from linli.iot.models import ChargerPort, ChargingSession, Command, DeviceState
from linli.iot.ocpp.server import Server
from linli.testing import iot
from linli.testing.client import ApiClient


class Running:
    """The central system on a free port, in a thread of its own."""

    def __init__(self):
        self.server = Server()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=asyncio.run, args=(self._main(),), daemon=True)

    async def _main(self):
        self.loop = asyncio.get_running_loop()
        started = asyncio.Event()
        self.task = asyncio.create_task(self.server.run("127.0.0.1", 0, started))
        await started.wait()
        self.ready.set()
        try:
            await self.task
        except asyncio.CancelledError:
            pass

    def __enter__(self):
        self.thread.start()
        assert self.ready.wait(10), "the central system did not start"
        return self.server

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.task.cancel)
        self.thread.join(10)


class Car(ChargePoint):
    """A charge point that does what it is told and says so."""

    started: asyncio.Queue
    stopped: asyncio.Queue

    @on(Action.remote_start_transaction)
    async def on_remote_start(self, id_tag, connector_id=None, **_):
        self.started.put_nowait((id_tag, connector_id))
        return call_result.RemoteStartTransaction(status=RemoteStartStopStatus.accepted)

    @on(Action.remote_stop_transaction)
    async def on_remote_stop(self, transaction_id):
        self.stopped.put_nowait(transaction_id)
        return call_result.RemoteStopTransaction(status=RemoteStartStopStatus.accepted)


def url(port: int, code: str = "car-b1") -> str:
    return f"ws://127.0.0.1:{port}/ocpp/a/{code}"


def basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


async def drive(port: int, token: str, world, owner: ApiClient, device_id: int) -> dict:
    async with connect(url(port), subprotocols=["ocpp1.6"], additional_headers=basic("car-b1", token)) as ws:
        car = Car("car-b1", ws)
        car.started, car.stopped = asyncio.Queue(), asyncio.Queue()
        listening = asyncio.create_task(car.start())
        boot = await car.call(
            call.BootNotification(charge_point_model="LN-7", charge_point_vendor="linli-test")
        )
        await car.call(call.StatusNotification(connector_id=1, error_code="NoError", status="Available"))

        started = await asyncio.to_thread(
            owner.post, "/iot/charging/sessions", {"device": device_id, "port": 1, "house": world.house.pk}
        )
        assert started.status_code == 201, started.content
        session_id = started.json()["id"]
        id_tag, connector = await asyncio.wait_for(car.started.get(), 10)
        tx = await car.call(
            call.StartTransaction(connector_id=connector, id_tag=id_tag, meter_start=1000, timestamp=_ts())
        )
        await car.call(
            call.MeterValues(
                connector_id=1,
                transaction_id=tx.transaction_id,
                meter_value=[
                    {
                        "timestamp": _ts(),
                        "sampled_value": [
                            {"value": "6.0", "unit": "kWh"},
                            {"value": "7200", "measurand": "Power.Active.Import", "unit": "W"},
                        ],
                    }
                ],
            )
        )
        charging = await asyncio.to_thread(owner.get, f"/iot/charging/sessions/{session_id}")
        stopped = await asyncio.to_thread(owner.post, f"/iot/charging/sessions/{session_id}/stop")
        transaction_id = await asyncio.wait_for(car.stopped.get(), 10)
        await car.call(
            call.StopTransaction(
                meter_stop=11000, timestamp=_ts(), transaction_id=transaction_id, reason="Remote"
            )
        )
        stranger = await car.call(call.Authorize(id_tag="FFFF0000"))
        card = await car.call(call.Authorize(id_tag="0B5E0001"))
        by_card = await car.call(
            call.StartTransaction(connector_id=1, id_tag="0B5E0001", meter_start=11000, timestamp=_ts())
        )
        listening.cancel()
    return {
        "boot": boot,
        "session_id": session_id,
        "tx": tx,
        "charging": charging.json(),
        "stopped": stopped.json(),
        "transaction_id": transaction_id,
        "stranger": stranger,
        "card": card,
        "by_card": by_card,
    }


def _ts() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@pytest.mark.django_db(transaction=True)
def test_a_car_charges_from_remote_start_to_remote_stop_and_pays_for_the_energy(world):
    chargers = iot.chargers(world)
    do_issue_card(actor=world.front_desk, person=world.owner_person, number="0B5E0001")
    token = chargers.tokens["car-b1"]
    owner = ApiClient(world.owner)
    connection.close()  # the server's database thread opens its own

    with Running() as server:
        port = server.port
        with pytest.raises(InvalidStatus) as refused:
            asyncio.run(_connect_once(port, basic("car-b1", "lnd_wrong")))
        assert refused.value.response.status_code == 401
        out = asyncio.run(drive(port, token, world, owner, chargers.car.pk))

    assert out["boot"].status == "Accepted"
    assert out["tx"].transaction_id == out["session_id"]
    assert out["tx"].id_tag_info["status"] == "Accepted"
    assert (out["charging"]["status"], out["charging"]["energy_wh"]) == ("charging", 5000)
    assert out["transaction_id"] == out["session_id"]
    session = ChargingSession.objects.get(pk=out["session_id"])
    assert (session.status, session.energy_wh, session.stop_reason) == (SessionStatus.DONE, 10000, "resident")
    assert session.amount_fen == 1500, "10 kWh at 1.50 yuan"
    assert set(Command.objects.filter(device=chargers.car).values_list("name", "status")) == {
        ("remote_start", CommandStatus.ACKED),
        ("remote_stop", CommandStatus.ACKED),
    }
    assert out["stranger"].id_tag_info["status"] == "Invalid"
    assert out["card"].id_tag_info["status"] == "Accepted"
    by_card = ChargingSession.objects.get(pk=out["by_card"].transaction_id)
    assert (by_card.via, by_card.house_id, by_card.status) == ("card", world.house.pk, SessionStatus.CHARGING)
    assert DeviceState.objects.get(device=chargers.car).online
    assert ChargerPort.objects.get(device=chargers.car, number=1).state == "charging"


async def _connect_once(port: int, headers: dict) -> None:
    async with connect(url(port), subprotocols=["ocpp1.6"], additional_headers=headers):
        pass
