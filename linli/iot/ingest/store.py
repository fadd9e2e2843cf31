"""Writing a batch: readings, the devices' latest values, rule states, then what the rules'
transitions mean (alarms) and what devices answered, all in one transaction.

Readings and states go in with `executemany` over hand-written SQL: at ten thousand messages a
second, building a model instance per row would cost more than the message itself
(decision 0006 on hand-written SQL where the ORM's cost dominates).
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from django.db import connection, transaction

from linli.core.errors import ServiceError
from linli.iot.services import alarms, card_readers, chargers, commands

log = logging.getLogger(__name__)

CHUNK = 900  # ids per IN (...) within SQLite's variable limit


def _json(vendor: str) -> str:
    return "CAST(%s AS jsonb)" if vendor == "postgresql" else "%s"


def _when(ts: float):
    return connection.ops.adapt_datetimefield_value(datetime.fromtimestamp(ts, UTC))


@dataclass
class Prepared:
    """A batch turned into rows, in the thread that owns the devices' state, so that the
    database thread never reads a dict the message loop is changing."""

    readings: list
    devices: list
    rules: list
    online: list[int]
    transitions: list
    answers: list
    ports: list
    cards: list


def prepare(batch, *, states, now: float) -> Prepared:
    devices = []
    for e in batch.touched.values():
        seen = _when(e.last_seen) if e.last_seen else None
        devices.append(
            (
                e.id,
                orjson.dumps(e.values).decode(),
                seen,
                e.messages > 0,
                e.messages,
                e.rejected,
                e.last_rejection,
            )
        )
    online = [e.id for e in batch.touched.values() if e.messages > 0]
    for e in batch.touched.values():
        e.messages = e.rejected = 0
    when = _when(now)
    rules = []
    for e in {e.id: e for e in states}.values():
        for slot in e.slots:
            if slot.dirty:
                rules.append((slot.rule_id, e.id, orjson.dumps(slot.state).decode(), when))
                slot.dirty = False
    readings = [(d, _when(ts), k, v) for d, ts, k, v in batch.readings]
    return Prepared(
        readings, devices, rules, online, batch.transitions, batch.answers, batch.ports, batch.cards
    )


def _came_back(cursor, device_ids: list[int]) -> list[int]:
    """Devices that were offline until this batch heard from them."""
    back = []
    for start in range(0, len(device_ids), CHUNK):
        chunk = device_ids[start : start + CHUNK]
        marks = ", ".join(["%s"] * len(chunk))
        cursor.execute(
            f"SELECT device_id FROM iot_devicestate WHERE online = %s AND device_id IN ({marks})",
            [False, *chunk],
        )
        back.extend(row[0] for row in cursor.fetchall())
    return back


def commit(p: Prepared) -> list:
    """Writes a prepared batch in one transaction; returns the alarm events it caused."""
    json = _json(connection.vendor)
    changed: list = []
    with transaction.atomic(), connection.cursor() as cursor:
        if p.readings:
            cursor.executemany(
                "INSERT INTO iot_reading (device_id, ts, key, value) VALUES (%s, %s, %s, %s)", p.readings
            )
        back = _came_back(cursor, p.online)
        if p.devices:
            cursor.executemany(DEVICE_UPSERT.format(json=json), p.devices)
        if p.rules:
            cursor.executemany(RULE_UPSERT.format(json=json), p.rules)
        if back:
            changed.extend(_contained(alarms.devices_back, back) or ())
        for t in p.transitions:
            changed.append(_contained(alarms.from_rule if t.raised else alarms.clear_from_rule, t))
        for device_id, uid, result, message in p.answers:
            _contained(commands.answered, device_id, uid, result == "ok", message)
        for device_id, ports, ts in p.ports:
            _contained(chargers.on_port_report, device_id, ports, datetime.fromtimestamp(ts, UTC))
        for device_id, card, port, ts in p.cards:
            _contained(card_readers.card_read, card, device_id, port, datetime.fromtimestamp(ts, UTC))
    return [c for c in changed if c is not None]


DEVICE_UPSERT = """INSERT INTO iot_devicestate
    (device_id, "values", last_seen, online, messages, rejected, last_rejection)
    VALUES (%s, {json}, %s, %s, %s, %s, %s)
    ON CONFLICT (device_id) DO UPDATE SET
        "values" = excluded."values",
        last_seen = COALESCE(excluded.last_seen, iot_devicestate.last_seen),
        online = iot_devicestate.online OR excluded.online,
        messages = iot_devicestate.messages + excluded.messages,
        rejected = iot_devicestate.rejected + excluded.rejected,
        last_rejection = CASE WHEN excluded.rejected > 0 THEN excluded.last_rejection
                              ELSE iot_devicestate.last_rejection END"""
RULE_UPSERT = """INSERT INTO iot_rulestate (rule_id, device_id, state, updated_at) VALUES (%s, %s, {json}, %s)
    ON CONFLICT (rule_id, device_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at"""


def _contained(fn, *args):
    """One consequence that fails (a charger's bad port list, an action that cannot run) is
    logged and undone alone; the readings and the other alarms of the batch still commit."""
    try:
        with transaction.atomic():
            return fn(*args)
    except ServiceError as e:
        log.warning("iot: %s refused: %s", fn.__name__, e)
    except Exception:
        log.exception("iot: %s failed", fn.__name__)
    return None
