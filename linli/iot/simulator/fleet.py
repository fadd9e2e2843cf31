"""The simulated devices and what each kind reports: values inside the profile's ranges that move
like the real thing (CO near zero with noise, a tank that slowly drains and refills, bins that
fill up and are emptied, meters that only count up, PM2.5 and temperature on a day curve)."""

import math
import random
from dataclasses import dataclass, field

import orjson

from linli.iot.choices import DeviceKind as K
from linli.iot.models import Device
from linli.iot.services.devices import do_rotate_token


@dataclass(slots=True)
class SimDevice:
    community: str
    code: str
    kind: str
    token: str
    counter: float = 0.0  # meters' totals, bins' fill, a lift's floor
    silent: bool = False
    override: dict = field(default_factory=dict)  # an anomaly's values, while it lasts
    # An e-bike charger's ports: when each stops charging (0: free), as `start` commands set them.
    charging_until: dict[int, float] = field(default_factory=dict)


def _day(now: float) -> float:
    """0 at 04:00 Beijing time, 1 at 16:00: the day curve of temperature and PM2.5."""
    hours = (now / 3600 + 8) % 24
    return (1 - math.cos((hours - 4) / 24 * 2 * math.pi)) / 2


def values(device: SimDevice, now: float, rng: random.Random) -> tuple[str, dict] | None:
    """(channel, body without token) of one message, or None for a device that says nothing."""
    kind = device.kind
    if kind == K.CO:
        v = {"co": round(max(0.0, rng.gauss(4, 2)), 1)}
    elif kind == K.WATER_TANK:
        v = {"level": round(67 + 28 * math.sin(now / 7200), 1), "chlorine": round(rng.uniform(0.3, 0.5), 2)}
    elif kind == K.WATER_PUMP:
        v = {"pressure": round(rng.gauss(0.32, 0.02), 3), "running": 1, "fault": 0}
    elif kind == K.SMOKE:
        v = {"smoke": 0.0, "battery": 87}
    elif kind == K.TRASH_BIN:
        device.counter = 0.0 if device.counter >= 85 else device.counter + rng.uniform(0, 2)
        v = {"fill": round(device.counter, 1)}
    elif kind == K.LIGHT_POLE:
        day = _day(now)
        v = {
            "pm25": round(30 + 50 * day + rng.uniform(-5, 5), 1),
            "temperature": round(2 + 10 * day + rng.uniform(-0.5, 0.5), 1),
            "humidity": round(70 - 30 * day, 1),
        }
    elif kind == K.WATER_METER:
        device.counter += rng.uniform(0, 0.05)
        v = {"total": round(device.counter, 3), "flow": round(rng.uniform(0, 0.04), 3)}
    elif kind == K.POWER_METER:
        device.counter += rng.uniform(0, 0.5)
        v = {"total": round(device.counter, 3), "power": round(rng.uniform(0, 40), 2)}
    elif kind == K.ELEVATOR:
        device.counter = float(rng.randint(1, 18))
        v = {"running": 1, "floor": device.counter, "door_open_s": rng.randint(3, 12), "trapped": 0}
    elif kind == K.EBIKE_CHARGER:
        return "status", {"ports": charger_ports(device, now, rng)}
    elif kind == K.FITNESS:  # uses begun since the last report: busier by day
        v = {"uses": float(max(0, round(rng.gauss(4 * _day(now), 1))))}
    else:  # fans, speakers, gates, cameras, car chargers: a heartbeat
        return "status", {"online": True}
    v.update(device.override)
    return "telemetry", {"values": v}


EBIKE_PORTS = 8


def charger_ports(device: SimDevice, now: float, rng: random.Random) -> list[dict]:
    """Ports charging until their time is up, then reporting once why they stopped."""
    ports = []
    for number in range(1, EBIKE_PORTS + 1):
        until = device.charging_until.get(number, 0.0)
        if until > now:
            ports.append({"port": number, "state": "charging", "power": round(rng.uniform(150, 250), 1)})
            continue
        port = {"port": number, "state": "free", "power": 0}
        if until:
            port["stop"] = "time_up"
            device.charging_until[number] = 0.0
        ports.append(port)
    return ports


def encode(device: SimDevice, body: dict, now: float) -> bytes:
    return orjson.dumps({"token": device.token, "ts": round(now, 3), **body})


class Fleet:
    def __init__(self, devices: list[SimDevice], seed: int = 7):
        self.devices = devices
        self.rng = random.Random(seed)

    @classmethod
    def load(cls, community_id: int) -> "Fleet":
        """The community's simulated devices, each with a fresh token (the old ones stop working)."""
        rows = Device.objects.filter(community_id=community_id, simulated=True, active=True).select_related(
            "profile", "community"
        )
        devices = [
            SimDevice(d.community.code, d.code, d.profile.kind, do_rotate_token(actor=None, device_id=d.pk))
            for d in rows
        ]
        return cls(devices)

    def of_kind(self, kind: str) -> SimDevice | None:
        return next((d for d in self.devices if d.kind == kind and not d.silent), None)

    def messages(self, now: float):
        """One round: (community, device, channel, payload) for every device that speaks."""
        for device in self.devices:
            if device.silent:
                continue
            found = values(device, now, self.rng)
            if found is not None:
                channel, body = found
                yield device.community, device.code, channel, encode(device, body, now)
