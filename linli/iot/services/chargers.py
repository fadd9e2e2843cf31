"""Charging sessions (PARK-3) on e-bike chargers that speak MQTT (docs/devices.md, Chargers).

A resident starts a session by scanning the charger's code (the H5 page) or by holding an
access card to it; linli sends the charger `start` with the port and the minutes, and the
charger's port reports drive the session from there: charging, stopped because the battery is
full or the time is up, or lost in a power cut. After a power cut the charger comes back with
its ports free and no reason: linli sends `start` again for the minutes that were left, and
the countdown is pushed back by the length of the cut. The money is worked out when a
session ends (`finish`); car chargers (OCPP) end theirs in services/ocpp_sessions.py.
"""

import math
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.access import queries as access_queries
from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, Forbidden, NotFound, ServiceError
from linli.core.events import publish
from linli.core.permissions import may
from linli.core.roles import Action
from linli.iot.choices import (
    SESSION_OPEN,
    CommandStatus,
    DeviceKind,
    PortState,
    SessionStatus,
    StartedVia,
    StopReason,
)
from linli.iot.models import ChargerPort, ChargingSession, Command, Device, DeviceState, Tariff
from linli.iot.services.commands import OPEN as COMMAND_OPEN
from linli.iot.services.commands import send_command
from linli.registry import queries as registry_queries

CHARGERS = (DeviceKind.EBIKE_CHARGER, DeviceKind.CAR_CHARGER)
MIN_MINUTES = 10
MAX_PORTS = 64
# A charger that was told to stop by the clock gets this long to say so itself.
GRACE = timedelta(minutes=2)
# A session whose charger never came back from a power cut is closed after this long.
LONGEST_CUT = timedelta(hours=12)
# The state a port report may carry; `offline` is linli's own word for a charger not heard from.
REPORTED = (PortState.FREE, PortState.CHARGING, PortState.FAULT)
STOPS = {StopReason.FULL, StopReason.TIME_UP, StopReason.UNPLUGGED, StopReason.FAULT}


def tariff_of(community_id: int) -> Tariff:
    return Tariff.objects.get_or_create(community_id=community_id)[0]


def amount_for(session: ChargingSession, tariff: Tariff, charged_s: int) -> int:
    """E-bikes pay for the minutes they charged, car drivers for the energy; to the fen, up."""
    if session.device.profile.kind == DeviceKind.CAR_CHARGER:
        return math.ceil(max(session.energy_wh, 0) * tariff.car_fen_per_kwh / 1000)
    return math.ceil(max(charged_s, 0) * tariff.ebike_fen_per_hour / 3600)


def _changed(session: ChargingSession) -> None:
    payload = {"id": session.pk, "device": session.device_id, "port": session.port, "status": session.status}
    publish("iot.charging", payload, community_id=session.community_id)
    if session.user_id:
        publish("iot.charging", payload, users=[session.user_id])


def finish(session: ChargingSession, reason: str, at: datetime, energy_wh: int | None = None) -> bool:
    """Ends an open session once (a conditional update: a report and a sweep may race); False
    if it had already ended."""
    session = ChargingSession.objects.select_related("device__profile").get(pk=session.pk)
    if energy_wh is not None:
        session.energy_wh = energy_wh
    started = session.started_at
    paused = session.paused_s + (
        int((at - session.interrupted_at).total_seconds()) if session.interrupted_at else 0
    )
    charged_s = int((at - started).total_seconds()) - paused if started else 0
    amount = amount_for(session, tariff_of(session.community_id), charged_s) if started else 0
    done = ChargingSession.objects.filter(pk=session.pk, status__in=SESSION_OPEN).update(
        status=SessionStatus.DONE,
        stopped_at=at,
        stop_reason=reason,
        energy_wh=session.energy_wh,
        paused_s=paused,
        interrupted_at=None,
        amount_fen=amount,
    )
    if done:
        session.status = SessionStatus.DONE
        _changed(session)
    return bool(done)


# --- what the charger reports ------------------------------------------------------------------


def _clean_ports(ports: list) -> dict[int, dict]:
    out: dict[int, dict] = {}
    for entry in ports[:MAX_PORTS]:
        if not isinstance(entry, dict):
            raise ServiceError("bad_ports", _("端口信息格式不正确"))
        number, state = entry.get("port"), entry.get("state")
        power, energy = entry.get("power", 0), entry.get("energy_wh")
        if not isinstance(number, int) or not 1 <= number <= MAX_PORTS or state not in REPORTED:
            raise ServiceError("bad_ports", _("端口信息格式不正确"), fields={"port": str(number)[:10]})
        if not isinstance(power, int | float) or power < 0:
            raise ServiceError("bad_ports", _("端口功率不正确"), fields={"port": number})
        if energy is not None and (not isinstance(energy, int) or energy < 0):
            raise ServiceError("bad_ports", _("端口电量不正确"), fields={"port": number})
        out[number] = {"state": state, "power": float(power), "energy": energy, "stop": entry.get("stop")}
    return out


def set_ports(device_id: int, states: dict[int, tuple[str, float]], ts: datetime) -> None:
    """The ports as the charger says they are now (number → state, power in W), one upsert for
    all of them: an e-bike charger repeats its eight ports with every heartbeat."""
    ChargerPort.objects.bulk_create(
        [
            ChargerPort(device_id=device_id, number=number, state=state, power_w=power, updated_at=ts)
            for number, (state, power) in states.items()
        ],
        update_conflicts=True,
        unique_fields=["device", "number"],
        update_fields=["state", "power_w", "updated_at"],
    )


def on_port_report(device_id: int, ports: list, ts: datetime) -> None:
    """`{"ports": [{"port": 1, "state": "charging", "power": 180.5, "energy_wh": 120}, …]}`;
    a port that stopped by itself says why: `"stop": "full" | "time_up" | "unplugged" | "fault"`."""
    reported = _clean_ports(ports)
    set_ports(device_id, {number: (e["state"], e["power"]) for number, e in reported.items()}, ts)
    for session in ChargingSession.objects.filter(device_id=device_id, status__in=SESSION_OPEN):
        seen = reported.get(session.port)
        if seen is not None:
            _follow(session, seen, ts)


def _follow(session: ChargingSession, e: dict, ts: datetime) -> None:
    if e["energy"] is not None:
        ChargingSession.objects.filter(pk=session.pk).update(energy_wh=e["energy"])
    if e["state"] == PortState.CHARGING:
        _charging(session, ts)
    elif e["state"] == PortState.FAULT:
        finish(session, StopReason.FAULT, ts, e["energy"])
    elif e["stop"] in STOPS:
        finish(session, e["stop"], ts, e["energy"])
    elif session.status == SessionStatus.CHARGING:
        # Free without a reason while linli thinks it charges: the charger lost its session.
        _interrupted(session, ts)
        _resume(session, ts)
    elif session.status == SessionStatus.INTERRUPTED:
        _resume(session, ts)


def _charging(session: ChargingSession, ts: datetime) -> None:
    if session.status == SessionStatus.STARTING:
        ends = ts + timedelta(minutes=session.planned_minutes) if session.planned_minutes else None
        changed = ChargingSession.objects.filter(pk=session.pk, status=SessionStatus.STARTING).update(
            status=SessionStatus.CHARGING, started_at=ts, ends_at=ends
        )
    elif session.status == SessionStatus.INTERRUPTED and session.interrupted_at:
        cut = max(ts - session.interrupted_at, timedelta(0))
        changed = ChargingSession.objects.filter(pk=session.pk, status=SessionStatus.INTERRUPTED).update(
            status=SessionStatus.CHARGING,
            interrupted_at=None,
            paused_s=session.paused_s + int(cut.total_seconds()),
            ends_at=session.ends_at + cut if session.ends_at else None,
        )
    else:
        return
    if changed:
        session.status = SessionStatus.CHARGING
        _changed(session)


def _interrupted(session: ChargingSession, at: datetime) -> bool:
    if not ChargingSession.objects.filter(pk=session.pk, status=SessionStatus.CHARGING).update(
        status=SessionStatus.INTERRUPTED, interrupted_at=at
    ):
        return False  # a report got there first
    session.status, session.interrupted_at = SessionStatus.INTERRUPTED, at
    _changed(session)
    return True


def _resume(session: ChargingSession, now: datetime) -> None:
    """Asks the charger to go on for the minutes that were left, unless it is still being asked."""
    if session.command_id and Command.objects.filter(pk=session.command_id, status__in=COMMAND_OPEN).exists():
        return
    if session.ends_at and session.interrupted_at:
        left = session.ends_at - session.interrupted_at
        if left < timedelta(minutes=1):
            finish(session, StopReason.TIME_UP, session.interrupted_at)
            return
        minutes = math.ceil(left.total_seconds() / 60)
    else:
        minutes = tariff_of(session.community_id).ebike_max_minutes
    command = send_command(
        device_id=session.device_id, name="start", params={"port": session.port, "minutes": minutes}
    )
    ChargingSession.objects.filter(pk=session.pk).update(command=command)


# --- starting and stopping ---------------------------------------------------------------------


def _charger(device_id: int) -> Device:
    device = Device.objects.select_related("profile").filter(pk=device_id, active=True).first()
    if device is None or device.profile.kind not in CHARGERS:
        raise NotFound(_("没有这个充电桩"))
    return device


def _minutes(tariff: Tariff, minutes: int | None) -> int:
    if minutes is None:  # until full: the charger stops itself, at the latest after the maximum
        return tariff.ebike_max_minutes
    if not MIN_MINUTES <= minutes <= tariff.ebike_max_minutes:
        raise ServiceError(
            "bad_minutes",
            _("充电时长应为%(low)d到%(high)d分钟") % {"low": MIN_MINUTES, "high": tariff.ebike_max_minutes},
            fields={"minutes": minutes},
        )
    return minutes


def _check_port(device: Device, port: int) -> None:
    state = ChargerPort.objects.filter(device=device, number=port).values_list("state", flat=True).first()
    if state is None:
        raise ServiceError("unknown_port", _("该充电桩没有这个端口"), fields={"port": port})
    if state != PortState.FREE or not DeviceState.objects.filter(device=device, online=True).exists():
        raise Conflict("port_busy", _("该端口暂不可用"), fields={"port": port})


def open_session(
    *,
    device: Device,
    port: int,
    house_id: int | None,
    person_id: int | None,
    user_id: int | None,
    via: str,
    minutes: int | None,
) -> ChargingSession:
    """Writes the session and asks the charger to start; a port with an open session refuses."""
    car = device.profile.kind == DeviceKind.CAR_CHARGER
    planned = None if car else _minutes(tariff_of(device.community_id), minutes)
    try:
        with transaction.atomic():
            session = ChargingSession.objects.create(
                community_id=device.community_id,
                device=device,
                port=port,
                house_id=house_id,
                person_id=person_id,
                user_id=user_id,
                via=via,
                planned_minutes=planned,
            )
    except IntegrityError:
        raise Conflict("port_busy", _("该端口正在使用中"), fields={"port": port}) from None
    if car:
        session.id_tag = f"LINLI{session.pk}"
        command = send_command(
            device_id=device.pk, name="remote_start", params={"connector": port, "id_tag": session.id_tag}
        )
    else:
        command = send_command(device_id=device.pk, name="start", params={"port": port, "minutes": planned})
    session.command = command
    session.save(update_fields=["id_tag", "command", "updated_at"])
    _changed(session)
    return session


@transaction.atomic
def do_start_session(
    *, actor: Actor, device_id: int, port: int, house_id: int, minutes: int | None = None
) -> ChargingSession:
    """A resident starts charging at home's expense (the house pays: billing)."""
    device = _charger(device_id)
    if not registry_queries.lives_in(actor, house_id) or not registry_queries.house_in(
        device.community_id, house_id
    ):
        raise Forbidden(_("只能为本小区自己的房屋充电"))
    _check_port(device, port)
    session = open_session(
        device=device,
        port=port,
        house_id=house_id,
        person_id=None,
        user_id=actor.pk,
        via=StartedVia.SCAN,
        minutes=minutes,
    )
    audit.record(actor=actor, action="iot.charging_started", obj=session, community_id=device.community_id)
    return session


def card_holder_home(community_id: int, card: str) -> tuple[int, int] | None:
    """(person, house) for an access card of the community whose holder lives or owns there today:
    who charges, and whose home pays; None for any other card."""
    holder = access_queries.card_holder(community_id, card)
    if holder is None:
        return None
    house_id = registry_queries.current_house_of(holder[0], community_id, holder[1])
    return (holder[0], house_id) if house_id else None


def do_start_by_card(card: str, device_id: int, port) -> ChargingSession:
    """A card held to an e-bike charger's reader: the card's holder charges until full."""
    device = _charger(device_id)
    if not isinstance(port, int):
        raise ServiceError("unknown_port", _("该充电桩没有这个端口"))
    holder = card_holder_home(device.community_id, card)
    if holder is None:
        raise ServiceError("unknown_card", _("这张卡不能在本小区充电"))
    person_id, house_id = holder
    _check_port(device, port)
    return open_session(
        device=device,
        port=port,
        house_id=house_id,
        person_id=person_id,
        user_id=None,
        via=StartedVia.CARD,
        minutes=None,
    )


def _may_stop(actor: Actor, session: ChargingSession) -> str:
    if session.user_id == actor.pk or (
        session.house_id and registry_queries.lives_in(actor, session.house_id)
    ):
        return StopReason.RESIDENT
    if may(actor, Action.IOT_OPERATE, session.community_id, session.device.building_id):
        return StopReason.STAFF
    raise NotFound()


@transaction.atomic
def do_stop_session(*, actor: Actor, session_id: int) -> ChargingSession:
    session = ChargingSession.objects.select_related("device__profile").filter(pk=session_id).first()
    if session is None:
        raise NotFound()
    reason = _may_stop(actor, session)
    if session.status not in SESSION_OPEN:
        raise Conflict("session_ended", _("本次充电已结束"))
    if session.device.profile.kind == DeviceKind.CAR_CHARGER:
        # The car charger ends it with StopTransaction, which carries the meter reading.
        send_command(device_id=session.device_id, name="remote_stop", params={"transaction_id": session.pk})
    else:
        send_command(device_id=session.device_id, name="stop", params={"port": session.port})
        finish(session, reason, timezone.now())
    audit.record(actor=actor, action="iot.charging_stopped", obj=session, community_id=session.community_id)
    session.refresh_from_db()
    return session


# --- the clock ---------------------------------------------------------------------------------


def sweep(now: datetime) -> dict[str, int]:
    """What reports alone cannot tell: a start nobody answered, a charger gone silent mid-session,
    time that ran out on a charger that did not say so, a power cut that never ended."""
    counts = {"failed": 0, "interrupted": 0, "time_up": 0, "abandoned": 0}
    unanswered = ChargingSession.objects.filter(
        status=SessionStatus.STARTING, command__status__in=(CommandStatus.FAILED, CommandStatus.TIMED_OUT)
    )
    for session in unanswered:
        if ChargingSession.objects.filter(pk=session.pk, status=SessionStatus.STARTING).update(
            status=SessionStatus.FAILED, stopped_at=now, stop_reason=StopReason.NO_ANSWER
        ):
            session.status = SessionStatus.FAILED
            _changed(session)
            counts["failed"] += 1
    silent = ChargingSession.objects.filter(
        status=SessionStatus.CHARGING,
        device__state__online=False,
        device__profile__kind=DeviceKind.EBIKE_CHARGER,
    ).select_related("device__state")
    for session in silent:
        counts["interrupted"] += _interrupted(session, session.device.state.last_seen or now)
    for session in ChargingSession.objects.filter(status=SessionStatus.CHARGING, ends_at__lt=now - GRACE):
        if finish(session, StopReason.TIME_UP, session.ends_at or now):
            send_command(device_id=session.device_id, name="stop", params={"port": session.port})
            counts["time_up"] += 1
    cut_off = ChargingSession.objects.filter(
        status=SessionStatus.INTERRUPTED, interrupted_at__lt=now - LONGEST_CUT
    )
    for session in cut_off:
        counts["abandoned"] += finish(session, StopReason.FAULT, session.interrupted_at or now)
    return counts
