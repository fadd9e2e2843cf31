"""Anomalies as timelines: what one device sends, when, for the demo, the tests and the
benchmarks (docs/devices.md, "Simulator"). Each step either sends a message or changes what a
device reports in its regular rounds (`override`), so the anomaly reads like the real thing."""

from dataclasses import dataclass

from linli.iot.choices import DeviceKind as K
from linli.iot.simulator.fleet import Fleet, SimDevice, encode


@dataclass
class Step:
    at: float  # seconds after the anomaly starts
    device: SimDevice
    body: dict | None = None  # a message to send now (event or telemetry)
    channel: str = "telemetry"
    override: dict | None = None  # what the device reports from now on ({} = normal again)
    silent: bool | None = None


def co_spike(fleet: Fleet, dwell: float) -> list[Step]:
    d = _device(fleet, K.CO)
    return [
        Step(0, d, {"values": {"co": 120}}, override={"co": 120}),
        Step(180, d, {"values": {"co": 5}}, override={}),
    ]


def smoke(fleet: Fleet, dwell: float) -> list[Step]:
    d = _device(fleet, K.SMOKE)
    return [Step(0, d, {"values": {"smoke": 2.0}}), Step(30, d, {"values": {"smoke": 0.0}})]


def fire_lane(fleet: Fleet, dwell: float) -> list[Step]:
    d = _device(fleet, K.AI_CAMERA)
    event = {
        "event": "fire_lane",
        "track": "car-京A12345",
        "snapshot": "https://nvr.example.com/snap/fire-lane.jpg",
    }
    return [
        Step(0, d, {**event, "state": "start"}, channel="event"),
        Step(dwell, d, {**event, "state": "end"}, channel="event"),
    ]


def full_bin(fleet: Fleet, dwell: float) -> list[Step]:
    d = _device(fleet, K.TRASH_BIN)
    return [
        Step(0, d, {"values": {"fill": 96}}, override={"fill": 96}),
        Step(600, d, {"values": {"fill": 5}}, override={}),
    ]


def silent(fleet: Fleet, dwell: float) -> list[Step]:
    d = _device(fleet, K.WATER_PUMP)
    return [Step(0, d, silent=True)]


def high_throw(fleet: Fleet, dwell: float) -> list[Step]:
    d = _device(fleet, K.AI_CAMERA)
    body = {
        "event": "high_throw",
        "state": "once",
        "snapshot": "https://nvr.example.com/snap/throw.jpg",
        "data": {"floors": [12, 15], "face": "east"},
    }
    return [Step(0, d, body, channel="event")]


def trapped(fleet: Fleet, dwell: float) -> list[Step]:
    d = _device(fleet, K.ELEVATOR)
    return [
        Step(0, d, {"values": {"trapped": 1}}, override={"trapped": 1}),
        Step(300, d, {"values": {"trapped": 0}}, override={}),
    ]


SCENARIOS = {f.__name__: f for f in (co_spike, smoke, fire_lane, full_bin, silent, high_throw, trapped)}


class NoDevice(LookupError):
    pass


def _device(fleet: Fleet, kind: str) -> SimDevice:
    found = fleet.of_kind(kind)
    if found is None:
        raise NoDevice(kind)
    return found


def timeline(
    name: str, fleet: Fleet, start: float, dwell: float = 300
) -> list[tuple[float, str, str, str, bytes]]:
    """The messages an anomaly sends, as (time, community, device, channel, payload)."""
    return [
        (start + s.at, s.device.community, s.device.code, s.channel, encode(s.device, s.body, start + s.at))
        for s in SCENARIOS[name](fleet, dwell)
        if s.body is not None
    ]
