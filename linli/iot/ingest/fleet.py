"""The devices an ingest process knows, kept in memory: a message costs no query.

Loaded on a device's first message, refreshed from the rows changed since the last refresh
(a rotated token, a disabled device, edited rules), so the console's edits reach the worker
within `REFRESH_S` without a restart.
"""

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from linli.iot.models import Device, Rule, RuleState
from linli.iot.rules import engine
from linli.iot.rules.spec import time_based

REFRESH_S = 10
MAX_LOADS = 500  # devices loaded per batch, so that a flood of unknown topics cannot stall writes
MISSING_FOR_S = 60


@dataclass(slots=True)
class RuleSlot:
    """A rule as it applies to one device: compiled condition, merged parameters, its state."""

    rule_id: int
    alarm_type: str
    name: str
    severity: str
    auto_clear: bool
    actions: list
    compiled: object
    ticks: bool
    params: dict
    state: dict
    dirty: bool = False


@dataclass(slots=True)
class Entry:
    id: int
    community_id: int
    building_id: int | None
    profile_id: int
    kind: str
    token_hash: str
    active: bool
    ranges: dict
    params: dict
    slots: list = field(default_factory=list)
    values: dict = field(default_factory=dict)
    last_seen: float = 0.0
    messages: int = 0  # since the last flush
    rejected: int = 0
    last_rejection: str = ""


def ranges_of(keys: list[dict]) -> dict:
    return {k["key"]: (k.get("min"), k.get("max")) for k in keys}


def pure_no_data(condition: dict) -> bool:
    """Silence alone is watched by the periodic scan over every device (periodic.py), which also
    sees the devices no worker has heard from since it started."""
    return condition.get("type") == "no_data"


class Fleet:
    """`load_on_miss=False` for the MQTT worker: its message loop must not wait on the database,
    so an unknown device is only noted (`wanted`) and loaded by `adopt_wanted` in the database
    thread; topics that name no device are remembered for a while (`missing`)."""

    def __init__(self, *, load_on_miss: bool = True):
        self.load_on_miss = load_on_miss
        self.wanted: set[tuple[str, str]] = set()
        self.missing: dict[tuple[str, str], float] = {}
        self.by_topic: dict[tuple[str, str], Entry] = {}
        self.by_id: dict[int, Entry] = {}
        self.profile_rules: dict[int, list[Rule]] = {}
        self.device_rules: dict[int, list[Rule]] = {}
        self.compiled: dict[int, object] = {}
        self.refreshed_at = 0.0

    # --- rules -----------------------------------------------------------------------------------
    def load_rules(self) -> None:
        profile_rules: dict[int, list[Rule]] = {}
        device_rules: dict[int, list[Rule]] = {}
        compiled = {}
        for rule in Rule.objects.filter(enabled=True):
            if pure_no_data(rule.condition):
                continue
            compiled[rule.pk] = engine.compile(rule.condition)
            if rule.profile_id:
                profile_rules.setdefault(rule.profile_id, []).append(rule)
            else:
                device_rules.setdefault(rule.device_id, []).append(rule)
        self.profile_rules, self.device_rules, self.compiled = profile_rules, device_rules, compiled

    def _slots(self, entry: Entry, states: dict[int, dict]) -> list[RuleSlot]:
        rules = self.profile_rules.get(entry.profile_id, []) + self.device_rules.get(entry.id, [])
        return [
            RuleSlot(
                rule_id=r.pk,
                alarm_type=r.alarm_type,
                name=r.name,
                severity=r.severity,
                auto_clear=r.auto_clear,
                actions=r.actions,
                compiled=self.compiled[r.pk],
                ticks=time_based(r.condition),
                params={**r.params, **entry.params},
                state=states.get(r.pk, {}),
            )
            for r in rules
        ]

    # --- devices ---------------------------------------------------------------------------------
    def _entry(self, device: Device) -> Entry:
        state = getattr(device, "state", None)
        return Entry(
            values=dict(state.values) if state else {},
            last_seen=state.last_seen.timestamp() if state and state.last_seen else 0.0,
            id=device.pk,
            community_id=device.community_id,
            building_id=device.building_id,
            profile_id=device.profile_id,
            kind=device.profile.kind,
            token_hash=device.token_hash,
            active=device.active,
            ranges=ranges_of(device.profile.keys),
            params=device.params,
        )

    def _adopt(self, device: Device) -> Entry:
        entry = self._entry(device)
        states = dict(RuleState.objects.filter(device_id=device.pk).values_list("rule_id", "state"))
        entry.slots = self._slots(entry, states)
        old = self.by_id.get(device.pk)
        if old is not None:  # keep what the process already knows of it
            entry.values, entry.last_seen = old.values, old.last_seen
            live = {s.rule_id: s for s in old.slots}
            for slot in entry.slots:
                if slot.rule_id in live:
                    slot.state, slot.dirty = live[slot.rule_id].state, live[slot.rule_id].dirty
        self.by_topic[(device.community.code, device.code)] = entry
        self.by_id[device.pk] = entry
        return entry

    def forget_devices(self) -> None:
        self.by_topic.clear()
        self.by_id.clear()

    def find(self, community: str, code: str) -> Entry | None:
        entry = self.by_topic.get((community, code))
        if entry is not None or (community, code) in self.missing:
            return entry
        if not self.load_on_miss:
            self.wanted.add((community, code))
            return None
        return self._load(community, code)

    def _load(self, community: str, code: str) -> Entry | None:
        if not self.refreshed_at:  # the rules first, or the device would start without them
            self.refresh(time.time())
        device = (
            Device.objects.select_related("profile", "community", "state")
            .filter(community__code=community, code=code)
            .first()
        )
        return None if device is None else self._adopt(device)

    def adopt_wanted(self, now: float) -> None:
        """In the database thread: the devices the message loop asked for."""
        self.missing = {key: until for key, until in self.missing.items() if until > now}
        wanted, self.wanted = self.wanted, set()
        for community, code in list(wanted)[:MAX_LOADS]:
            if self._load(community, code) is None:
                self.missing[(community, code)] = now + MISSING_FOR_S

    def preload(self, device_ids: list[int] | None = None) -> int:
        """Every device at start-up, so that a restarted worker resumes the timers of devices that
        stay quiet (a duration running when it stopped)."""
        devices = Device.objects.select_related("profile", "community", "state")
        saved = RuleState.objects.all()
        if device_ids is not None:
            devices, saved = devices.filter(pk__in=device_ids), saved.filter(device_id__in=device_ids)
        states: dict[int, dict[int, dict]] = {}
        for device_id, rule_id, state in saved.values_list("device_id", "rule_id", "state").iterator():
            states.setdefault(device_id, {})[rule_id] = state
        count = 0
        for device in devices.iterator(chunk_size=2000):
            entry = self._entry(device)
            entry.slots = self._slots(entry, states.get(device.pk, {}))
            self.by_topic[(device.community.code, device.code)] = entry
            self.by_id[device.pk] = entry
            count += 1
        return count

    def refresh(self, now: float) -> None:
        """Rows changed since the last look: rules reloaded, changed devices adopted again."""
        if now - self.refreshed_at < REFRESH_S:
            return
        since = self.refreshed_at
        self.refreshed_at = now
        self.load_rules()
        if not since:
            return
        changed_since = datetime.fromtimestamp(since - 1, UTC)
        for device in Device.objects.select_related("profile", "community", "state").filter(
            updated_at__gte=changed_since
        ):
            if device.pk in self.by_id:
                self._adopt(device)
        if Rule.objects.filter(updated_at__gte=changed_since).exists() or self._rules_removed():
            for entry in list(self.by_id.values()):
                entry.slots = self._reslot(entry)

    def _rules_removed(self) -> bool:
        """A deleted or disabled rule leaves no row to notice by its time stamp."""
        held = {s.rule_id for entry in self.by_id.values() for s in entry.slots}
        return bool(held - set(self.compiled))

    def _reslot(self, entry: Entry) -> list[RuleSlot]:
        live = {s.rule_id: s for s in entry.slots}
        slots = self._slots(entry, {})
        for slot in slots:
            if slot.rule_id in live:
                slot.state, slot.dirty = live[slot.rule_id].state, live[slot.rule_id].dirty
        return slots
