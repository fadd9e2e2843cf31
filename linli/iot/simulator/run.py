"""The simulator's loop: every device speaks once per round, rounds paced to the rate asked for,
anomalies played on their timelines, commands answered (a fan told `fan_on` then reports running)."""

import logging
import time

from linli.iot.choices import DeviceKind as K
from linli.iot.simulator.fleet import Fleet, encode
from linli.iot.simulator.scenarios import SCENARIOS, NoDevice
from linli.iot.simulator.transport import HttpSender

log = logging.getLogger(__name__)
ANSWERING = (K.FAN, K.SPEAKER, K.GATE, K.EBIKE_CHARGER)
POLL_S = 5.0


class Simulation:
    def __init__(
        self, fleet: Fleet, sender, *, rate: float, anomalies: list[str], dwell: float, every: float | None
    ):
        self.fleet, self.sender = fleet, sender
        self.rate, self.dwell, self.every = rate, dwell, every
        self.anomalies = anomalies
        self.steps: list = []
        self.sent = 0
        self.by_code = {d.code: d for d in fleet.devices}
        if hasattr(sender, "on_commands") and fleet.devices:
            sender.on_commands(fleet.devices[0].community, self.answer)

    def answer(self, code: str, command: dict) -> None:
        device = self.by_code.get(code)
        if device is None:
            return
        name, params = command.get("name"), command.get("params") or {}
        if name in ("fan_on", "fan_off"):
            device.override = {"running": 1 if name == "fan_on" else 0}
        elif name in ("start", "stop") and isinstance(params.get("port"), int):
            minutes = params.get("minutes") or 0
            device.charging_until[params["port"]] = time.time() + 60 * minutes if name == "start" else 0.0
        body = {"command": command.get("id", ""), "result": "ok"}
        self.sender.send(device.community, device.code, "status", encode(device, body, time.time()))

    def schedule(self, start: float) -> None:
        for name in self.anomalies:
            try:
                self.steps += [(start + s.at, s) for s in SCENARIOS[name](self.fleet, self.dwell)]
            except NoDevice as missing:
                log.warning("simulate: no %s device for the %s anomaly", missing, name)
        self.steps.sort(key=lambda pair: pair[0])

    def _play(self, now: float) -> None:
        while self.steps and self.steps[0][0] <= now:
            _at, step = self.steps.pop(0)
            if step.override is not None:
                step.device.override = step.override
            if step.silent is not None:
                step.device.silent = step.silent
            if step.body is not None:
                self.sender.send(
                    step.device.community, step.device.code, step.channel, encode(step.device, step.body, now)
                )
                self.sent += 1

    def _poll_http(self) -> None:
        for device in self.fleet.devices:
            if device.kind in ANSWERING:
                for command in self.sender.pending(device.community, device.code, device.token):
                    self.answer(device.code, command)

    def run(self, duration: float | None, *, first_anomaly_after: float = 30) -> dict:
        started = time.time()
        self.schedule(started + first_anomaly_after)
        next_anomaly = started + first_anomaly_after + (self.every or 0)
        next_poll = started
        while duration is None or time.time() - started < duration:
            round_started = time.time()
            for community, code, channel, payload in self.fleet.messages(round_started):
                self.sender.send(community, code, channel, payload)
                self.sent += 1
                if self.rate and self.sent > (time.time() - started) * self.rate:
                    time.sleep(max(0.0, self.sent / self.rate - (time.time() - started)))
                self._play(time.time())
            self._play(time.time())
            if self.every and time.time() >= next_anomaly:
                self.schedule(time.time())
                next_anomaly += self.every
            if isinstance(self.sender, HttpSender) and time.time() >= next_poll:
                self._poll_http()
                next_poll = time.time() + POLL_S
        seconds = time.time() - started
        return {
            "sent": self.sent,
            "seconds": round(seconds, 3),
            "rate": round(self.sent / seconds, 1) if seconds else 0,
        }


def realistic_rate(fleet: Fleet) -> float:
    """Each device every 5 seconds: faster than real devices, so the demo moves."""
    return max(1.0, len(fleet.devices) / 5)
