"""What a device may send (docs/devices.md), checked before anything is evaluated or stored.

Pure functions over the decoded payload: every refusal is a `Refused` with one of the stable
codes of docs/devices.md, so that both transports count and answer it the same way.
"""

import math
from dataclasses import dataclass

import orjson

MAX_PAYLOAD = 16 * 1024
FUTURE_SLACK_S = 300
MAX_AGE_S = 7 * 86400
CHANNELS = ("telemetry", "event", "status")
EVENT_STATES = ("start", "end", "once")
MAX_DATA_FIELDS = 20


class Refused(Exception):
    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass(slots=True)
class Reading:
    """One accepted message, reduced to what the rules and the store need."""

    channel: str
    ts: float
    values: dict  # key -> float (telemetry, and an event as `event:<name>`)
    event: dict | None = None  # the event's name, state, track, snapshot, data
    status: dict | None = None  # heartbeat, a command's answer, a charger's ports


def decode(raw: bytes) -> dict:
    if len(raw) > MAX_PAYLOAD:
        raise Refused("malformed", "too large")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise Refused("malformed", "not JSON") from None
    if not isinstance(body, dict):
        raise Refused("malformed", "not an object")
    return body


def timestamp(body: dict, now: float) -> float:
    ts = body.get("ts")
    if ts is None:
        return now
    if isinstance(ts, bool) or not isinstance(ts, int | float) or not math.isfinite(ts):
        raise Refused("bad_time", "ts is not a number")
    if ts > 1e11:  # milliseconds
        ts = ts / 1000
    if ts > now + FUTURE_SLACK_S or ts < now - MAX_AGE_S:
        raise Refused("bad_time", "ts out of range")
    return float(ts)


def number(value) -> float:
    if value is True or value is False:
        return float(value)
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    raise Refused("bad_value", "not a number")


def telemetry(body: dict, ranges: dict, ts: float) -> Reading:
    """`ranges` maps the profile's keys to (min, max), either None for unbounded."""
    values = body.get("values")
    if not isinstance(values, dict) or not values:
        raise Refused("malformed", "values missing")
    out = {}
    for key, raw in values.items():
        bounds = ranges.get(key)
        if bounds is None:
            raise Refused("bad_value", f"unknown key {str(key)[:40]}")
        value = number(raw)
        lo, hi = bounds
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise Refused("bad_value", f"{key} out of range")
        out[key] = value
    return Reading("telemetry", ts, out)


def event(body: dict, ts: float) -> Reading:
    name, state = body.get("event"), body.get("state", "once")
    if not isinstance(name, str) or not name.isidentifier() or len(name) > 30 or state not in EVENT_STATES:
        raise Refused("malformed", "event or state")
    snapshot = body.get("snapshot") or ""
    if (
        not isinstance(snapshot, str)
        or len(snapshot) > 300
        or (snapshot and not snapshot.startswith("https://"))
    ):
        raise Refused("bad_value", "snapshot")
    data = body.get("data") or {}
    if not isinstance(data, dict) or len(data) > MAX_DATA_FIELDS or len(orjson.dumps(data)) > 2000:
        raise Refused("bad_value", "data")
    track = str(body.get("track") or "")[:40]
    detail = {"name": name, "state": state, "track": track, "snapshot": snapshot, "data": data}
    return Reading("event", ts, {f"event:{name}": 0.0 if state == "end" else 1.0}, event=detail)


def status(body: dict, ts: float) -> Reading:
    out: dict = {}
    if "command" in body:
        uid, result = body.get("command"), body.get("result")
        if not isinstance(uid, str) or len(uid) > 32 or result not in ("ok", "error"):
            raise Refused("malformed", "command answer")
        out["command"] = (uid, result, str(body.get("message") or "")[:200])
    if "ports" in body:
        if not isinstance(body["ports"], list):
            raise Refused("malformed", "ports")
        out["ports"] = body["ports"]
    if "card" in body:
        out["card"] = (str(body["card"])[:40], body.get("port"))
    return Reading("status", ts, {}, status=out)


def reading(channel: str, body: dict, ranges: dict, now: float) -> Reading:
    """The reading a decoded body (whose token was checked) carries on its channel."""
    ts = timestamp(body, now)
    if channel == "telemetry":
        return telemetry(body, ranges, ts)
    if channel == "event":
        return event(body, ts)
    if channel == "status":
        return status(body, ts)
    raise Refused("malformed", "channel")
