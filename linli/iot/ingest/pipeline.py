"""The one ingest service both transports feed (IOT-2): authenticate the device, validate the
message, evaluate its rules, and keep what must be stored until the next `flush`.

`handle` runs in memory only (no query for a known device), so that a worker spends its time
on messages, not round trips; `flush` writes a batch in one transaction and turns the rules'
transitions into alarms. Rule state is written with the batch that changed it when a rule
fires or clears, and at least every `CHECKPOINT_S` otherwise, so a restart resumes a running
timer where it stood (within that window after a crash; exactly after a clean stop).
"""

import hmac
import time
from collections import Counter
from dataclasses import dataclass, field

from linli.accounts.models import hash_token
from linli.iot.ingest import messages, store
from linli.iot.ingest.fleet import Entry, Fleet, RuleSlot
from linli.iot.ingest.messages import Refused
from linli.iot.metrics import INGEST_MESSAGES
from linli.iot.rules import engine

RATE = 10.0  # messages a second a device may send, sustained
BURST = 30.0
CHECKPOINT_S = 5.0
PARK_PER_DEVICE, PARK_DEVICES = 20, 10_000


@dataclass(slots=True)
class Transition:
    entry: Entry
    slot: RuleSlot
    raised: bool
    ts: float
    values: dict
    event: dict | None = None


@dataclass
class Batch:
    readings: list = field(default_factory=list)  # (device_id, ts, key, value)
    transitions: list[Transition] = field(default_factory=list)
    answers: list = field(default_factory=list)  # (device_id, uid, result, message)
    ports: list = field(default_factory=list)  # (device_id, ports, ts)
    cards: list = field(default_factory=list)  # (device_id, card, port, ts)
    touched: dict[int, Entry] = field(default_factory=dict)

    def __len__(self):
        return len(self.readings) + len(self.touched)


class Ingest:
    def __init__(self, fleet: Fleet | None = None, *, clock=time.time):
        self.fleet = fleet or Fleet()
        self.clock = clock
        self.batch = Batch()
        self.counters: Counter = Counter()
        self.published: Counter = Counter()  # what of `counters` /metrics has been told
        self.checkpoint_at = clock()
        self.buckets: dict[int, tuple[float, float]] = {}
        self.parked: dict[tuple[str, str], list] = {}
        # Devices whose rule state changed since it was last written.
        self.unsaved: dict[int, Entry] = {}

    # --- one message -----------------------------------------------------------------------------
    def handle(self, community: str, code: str, channel: str, raw: bytes, token: str | None = None) -> str:
        """ "ok" or the refusal's code; never raises for anything a device sends."""
        now = self.clock()
        entry = None
        try:
            entry = self.fleet.find(community, code)
            if entry is None and (community, code) in self.fleet.wanted:
                return self._park(community, code, channel, raw, token)
            if entry is None or not entry.active:
                raise Refused("unknown_device")
            self._admit(entry, now)
            body = messages.decode(raw)
            self.authenticate(entry, token or body.get("token"))
            reading = messages.reading(channel, body, entry.ranges, now)
        except Refused as refused:
            self.counters[refused.code] += 1
            if entry is not None and refused.code != "unknown_device":
                entry.rejected += 1
                entry.last_rejection = refused.code
                self.batch.touched[entry.id] = entry
            return refused.code
        self.counters["accepted"] += 1
        self._accept(entry, reading)
        return "ok"

    def _park(self, community: str, code: str, channel: str, raw: bytes, token: str | None) -> str:
        """Holds a message of a device not loaded yet until the database thread loaded it."""
        held = self.parked.setdefault((community, code), [])
        if len(held) >= PARK_PER_DEVICE or len(self.parked) > PARK_DEVICES:
            self.counters["overflow"] += 1
            return "overflow"
        held.append((channel, raw, token))
        return "parked"

    def replay_parked(self) -> None:
        """After `Fleet.adopt_wanted`: the held messages of devices now known (or refused)."""
        parked, self.parked = self.parked, {}
        for (community, code), held in parked.items():
            for channel, raw, token in held:
                self.handle(community, code, channel, raw, token)

    def _admit(self, entry: Entry, now: float) -> None:
        """A bucket per device, refilled at RATE a second up to BURST."""
        tokens, at = self.buckets.get(entry.id, (BURST, now))
        tokens = min(BURST, tokens + max(0.0, now - at) * RATE)
        if tokens < 1:
            self.buckets[entry.id] = (tokens, now)
            raise Refused("rate_limited")
        self.buckets[entry.id] = (tokens - 1, now)

    def authenticate(self, entry: Entry, token) -> None:
        if not isinstance(token, str) or len(token) > 100:
            raise Refused("bad_token")
        if not hmac.compare_digest(hash_token(token), entry.token_hash):
            raise Refused("bad_token")

    def _accept(self, entry: Entry, reading: messages.Reading) -> None:
        batch = self.batch
        entry.messages += 1
        entry.last_seen = max(entry.last_seen, reading.ts)
        batch.touched[entry.id] = entry
        if reading.values:
            entry.values.update(reading.values)
            batch.readings.extend((entry.id, reading.ts, k, v) for k, v in reading.values.items())
            if entry.slots:
                self.unsaved[entry.id] = entry
            event_key = f"event:{reading.event['name']}" if reading.event else None
            for slot in entry.slots:
                slot.dirty = True
                if event_key in slot.compiled.keys:  # kept for an alarm a later tick raises
                    slot.state["event"] = reading.event
                holds = engine.on_message(
                    slot.compiled, params=slot.params, state=slot.state, values=reading.values, ts=reading.ts
                )
                self._step(entry, slot, holds, reading.ts, reading.event)
            if reading.event and reading.event["state"] == "once":
                self._end_moment(entry, reading)
        if reading.status:
            status = reading.status
            if "command" in status:
                batch.answers.append((entry.id, *status["command"]))
            if "ports" in status:
                batch.ports.append((entry.id, status["ports"], reading.ts))
            if "card" in status:
                batch.cards.append((entry.id, *status["card"], reading.ts))

    def _end_moment(self, entry: Entry, reading: messages.Reading) -> None:
        """A moment (an object thrown from height) is over as soon as it was seen."""
        ended = {key: 0.0 for key in reading.values}
        entry.values.update(ended)
        for slot in entry.slots:
            holds = engine.on_message(
                slot.compiled, params=slot.params, state=slot.state, values=ended, ts=reading.ts
            )
            self._step(entry, slot, holds, reading.ts, None)

    def _step(self, entry: Entry, slot: RuleSlot, holds: bool, ts: float, event) -> None:
        edge = engine.step(holds, slot.state)
        if edge is None:
            return
        slot.dirty = True
        self.unsaved[entry.id] = entry
        if edge is engine.Transition.CLEAR and not slot.auto_clear:
            return
        self.batch.transitions.append(
            Transition(
                entry,
                slot,
                edge is engine.Transition.RAISE,
                ts,
                dict(entry.values),
                event or slot.state.get("event"),
            )
        )

    # --- time ------------------------------------------------------------------------------------
    def tick(self) -> None:
        """Timers that run out while a device stays quiet (a duration, a schedule's window)."""
        now = self.clock()
        for entry in self.fleet.by_id.values():
            for slot in entry.slots:
                if slot.ticks:
                    holds = engine.on_tick(slot.compiled, params=slot.params, state=slot.state, now=now)
                    self._step(entry, slot, holds, now, None)

    # --- storing ---------------------------------------------------------------------------------
    def prepare(self) -> store.Prepared:
        """Takes the batch (in the thread that handles messages); `store.commit` writes it."""
        batch, self.batch = self.batch, Batch()
        now = self.clock()
        if now - self.checkpoint_at >= CHECKPOINT_S:
            self.checkpoint_at = now
            states, self.unsaved = list(self.unsaved.values()), {}
        else:  # what fired or cleared is saved with its alarm; the rest waits for the checkpoint
            states = [t.entry for t in batch.transitions]
        self.counters["flushed"] += 1
        self._publish_counters()
        return store.prepare(batch, states=states, now=now)

    def _publish_counters(self) -> None:
        """Once a batch rather than once a message: the hot path only counts in memory."""
        for result, count in self.counters.items():
            if result != "flushed" and count > self.published[result]:
                INGEST_MESSAGES.labels(result).inc(count - self.published[result])
        self.published = self.counters.copy()

    def flush(self) -> list:
        """Prepare and commit in one go (the HTTP ingest, tests); returns the alarm events."""
        self.fleet.refresh(self.clock())
        return store.commit(self.prepare())

    def close(self) -> list:
        """A clean stop: everything, every rule state included, is written."""
        self.checkpoint_at = 0.0
        return self.flush()
