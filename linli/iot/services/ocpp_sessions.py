"""What a car charger tells the OCPP 1.6J central system (linli/iot/ocpp/), as the database
sees it. Each function is synchronous and short; the server calls them from its event loop
through a thread. OCPP's own words are kept at the edge: this module speaks in sessions.
"""

import hmac
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from linli.accounts.models import hash_token
from linli.iot.choices import SESSION_OPEN, DeviceKind, PortState, SessionStatus, StartedVia, StopReason
from linli.iot.models import ChargerPort, ChargingSession, Device, DeviceState
from linli.iot.services import chargers

# OCPP 1.6 ChargePointStatus → the port's state.
STATUS = {
    "Available": PortState.FREE,
    "Preparing": PortState.CHARGING,
    "Charging": PortState.CHARGING,
    "SuspendedEV": PortState.CHARGING,
    "SuspendedEVSE": PortState.CHARGING,
    "Finishing": PortState.CHARGING,
    "Reserved": PortState.FREE,
    "Unavailable": PortState.OFFLINE,
    "Faulted": PortState.FAULT,
}
# OCPP 1.6 StopTransaction reason → why the session ended.
REASONS = {
    "EVDisconnected": StopReason.UNPLUGGED,
    "Local": StopReason.RESIDENT,
    "Remote": StopReason.RESIDENT,
    "EmergencyStop": StopReason.FAULT,
    "HardReset": StopReason.FAULT,
    "PowerLoss": StopReason.FAULT,
}


def authenticate(community_code: str, device_code: str, password: str) -> int | None:
    """The car charger's id if `password` is its token (OCPP security profile 1: HTTP Basic)."""
    device = (
        Device.objects.filter(
            community__code=community_code,
            code=device_code,
            active=True,
            profile__kind=DeviceKind.CAR_CHARGER,
        )
        .values_list("pk", "token_hash")
        .first()
    )
    if device is None or not hmac.compare_digest(device[1], hash_token(password)):
        return None
    return device[0]


def seen(device_id: int, values: dict | None = None) -> None:
    now = timezone.now()
    updates: dict = {"last_seen": now, "online": True}
    if values:
        updates["values"] = values
    if not DeviceState.objects.filter(device_id=device_id).update(**updates):
        DeviceState.objects.create(device_id=device_id, **updates)


def connector_status(device_id: int, connector: int, status: str) -> None:
    if connector < 1:  # connector 0 is the charge point as a whole
        return
    chargers.set_ports(device_id, {connector: (STATUS.get(status, PortState.FAULT), 0.0)}, timezone.now())


def _community(device_id: int) -> int:
    return Device.objects.values_list("community_id", flat=True).get(pk=device_id)


def _awaited(device_id: int, id_tag: str, connector: int | None = None) -> ChargingSession | None:
    """The session linli asked this charger to start with RemoteStartTransaction."""
    sessions = ChargingSession.objects.filter(
        device_id=device_id, id_tag=id_tag, status=SessionStatus.STARTING
    )
    if connector is not None:
        sessions = sessions.filter(port=connector)
    return sessions.first()


def _card_house(device_id: int, id_tag: str) -> tuple[int, int] | None:
    return chargers.card_holder_home(_community(device_id), id_tag)


def authorize(device_id: int, id_tag: str) -> bool:
    return _awaited(device_id, id_tag) is not None or _card_house(device_id, id_tag) is not None


@transaction.atomic
def start(device_id: int, connector: int, id_tag: str, meter_start: int, at: datetime) -> int | None:
    """The transaction id (the session's) for an accepted start, None for a refused one: an
    unknown tag, or a card on a connector that already has an open session."""
    session = _awaited(device_id, id_tag, connector)
    if session is None:
        holder = _card_house(device_id, id_tag)
        if holder is None:
            return None
        try:
            with transaction.atomic():
                session = ChargingSession.objects.create(
                    community_id=_community(device_id),
                    device_id=device_id,
                    port=connector,
                    person_id=holder[0],
                    house_id=holder[1],
                    via=StartedVia.CARD,
                    id_tag=id_tag[:20],
                )
        except IntegrityError:
            return None
    ChargingSession.objects.filter(pk=session.pk).update(
        status=SessionStatus.CHARGING, started_at=at, meter_start_wh=meter_start
    )
    connector_status(device_id, connector, "Charging")
    return session.pk


def meter(device_id: int, transaction_id: int | None, energy_wh: int | None, power_w: float | None) -> None:
    if power_w is not None:
        seen(device_id, {"power": power_w})
    if transaction_id is None or energy_wh is None:
        return
    session = ChargingSession.objects.filter(
        pk=transaction_id, device_id=device_id, status__in=SESSION_OPEN
    ).first()
    if session is not None:
        ChargingSession.objects.filter(pk=session.pk).update(
            energy_wh=max(energy_wh - session.meter_start_wh, 0)
        )


def stop(device_id: int, transaction_id: int, meter_stop: int, at: datetime, reason: str | None) -> bool:
    session = ChargingSession.objects.filter(pk=transaction_id, device_id=device_id).first()
    if session is None:
        return False
    with transaction.atomic():
        ended = chargers.finish(
            session,
            REASONS.get(reason or "Local", StopReason.OTHER),
            at,
            max(meter_stop - session.meter_start_wh, 0),
        )
        ChargerPort.objects.filter(device_id=device_id, number=session.port).update(
            state=PortState.FREE, power_w=0, updated_at=timezone.now()
        )
    return ended
