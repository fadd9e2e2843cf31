"""Vehicle barriers (ACC-9): a camera reads a plate; residents' registered vehicles open, a
visitor's car opens by a pass that names its plate, any other car gets a temporary parking
record (entry and exit times; the fee comes with billing).

Apps above access hold plate rights of their own (parking: a shared-space booking, a monthly
pass). Access imports none of them: they register with `register_plate_right` at start-up and
are asked first, before the resident's vehicle and the temporary record, since theirs is the
more particular right (a booking also records when the car came and went)."""

import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.access import rights
from linli.access.choices import Direction, Method, PointKind, Reason
from linli.access.decide.grants import evaluate_people
from linli.access.models import AccessPoint, ParkingRecord, Terminal, VisitorPass
from linli.access.services.decisions import Decision, open_command, record_event, replayed_decision
from linli.core.crypto import blind_index
from linli.core.errors import ServiceError
from linli.core.masking import mask_name, mask_plate
from linli.registry.models import Vehicle
from linli.registry.validators import clean_plate

__all__ = [
    "Decision",
    "PlateRight",
    "Reason",
    "do_plate_event",
    "do_release_paid_stay",
    "register_plate_right",
]

PlateCheck = Callable[[AccessPoint, str, datetime], Decision | None]


@dataclass(frozen=True)
class PlateRight:
    """`enter(point, plate_bidx, now)`: a decision if the app lets the car in now (and records
    it), else None. `leave(...)`: a decision if the car is inside under the app's right and now
    leaves (recorded), else None. Both run inside the plate event's transaction."""

    enter: PlateCheck
    leave: PlateCheck | None = None


_PLATE_RIGHTS: list[PlateRight] = []


def register_plate_right(right: PlateRight) -> None:
    """Called from an app's AppConfig.ready; registering the same right twice is a no-op."""
    if right not in _PLATE_RIGHTS:
        _PLATE_RIGHTS.append(right)


def _by_right(point, bidx: str, now: datetime, exiting: bool) -> Decision | None:
    """An app's plate right. Leaving under one is tried first at any barrier a car leaves by: at
    a two-way barrier a car inside under a booking is leaving, whatever else it holds."""
    if point.direction != Direction.IN:
        for right in _PLATE_RIGHTS:
            if right.leave is not None and (decision := right.leave(point, bidx, now)) is not None:
                return decision
    if not exiting:
        for right in _PLATE_RIGHTS:
            if (decision := right.enter(point, bidx, now)) is not None:
                return decision
    return None


# The owner's own grants said one of these: the car's right to pass as a resident's ended.
OWNER_GONE = (Reason.GRANT_EXPIRED, *rights.ENDED_REASONS)


def _resident(point, bidx: str, now: datetime) -> tuple[Decision | None, str]:
    """(the resident vehicle decision, or None; the reason the car's own right ended, or "")."""
    owners = list(
        Vehicle.objects.filter(community_id=point.community_id, plate_bidx=bidx).values_list(
            "person_id", flat=True
        )
    )
    if not owners:
        return None, ""
    reason, person_id, name = evaluate_people(owners, point.pk, now)
    if reason != Reason.GRANTED:
        # e.g. a former tenant's car: it may still park like any visitor's, never as a resident's
        return None, Reason.VEHICLE_OWNER_LEFT if reason in OWNER_GONE else ""
    return Decision(True, Reason.RESIDENT_VEHICLE, person_id, mask_name(name)), ""


def _visitor_pass(point, bidx: str, now: datetime) -> int | None:
    candidates = VisitorPass.objects.filter(
        community_id=point.community_id,
        plate_bidx=bidx,
        revoked_at__isnull=True,
        valid_from__lte=now,
        valid_until__gt=now,
        uses__lt=F("max_uses"),
        gates=point,
    ).values_list("pk", flat=True)
    for pass_id in candidates:
        if VisitorPass.objects.filter(pk=pass_id, revoked_at__isnull=True, uses__lt=F("max_uses")).update(
            uses=F("uses") + 1
        ):
            return pass_id
    return None


def _exit(point, bidx: str, now: datetime) -> Decision:
    record = ParkingRecord.objects.filter(
        community_id=point.community_id, plate_bidx=bidx, exited_at__isnull=True
    )
    row = record.values_list("pk", "entered_at").first()
    if row and record.filter(pk=row[0]).update(exited_at=now, exit_point=point):
        minutes = int((now - row[1]).total_seconds() // 60)
        return Decision(True, Reason.TEMPORARY_PARKING, detail={"parking": row[0], "minutes": minutes})
    # No entry seen (camera missed it): never trap a car inside.
    return Decision(True, Reason.TEMPORARY_PARKING, detail={"parking": None})


def _enter(point, plate: str, bidx: str, now: datetime) -> Decision:
    pass_id = _visitor_pass(point, bidx, now)
    if pass_id is None and not point.allow_temporary_parking:
        return Decision(False, Reason.NO_TEMPORARY_PARKING)
    existing = ParkingRecord.objects.filter(
        community_id=point.community_id, plate_bidx=bidx, exited_at__isnull=True
    ).values_list("pk", flat=True)
    record_id = existing.first()
    if record_id is None:
        try:
            with transaction.atomic():
                record_id = ParkingRecord.objects.create(
                    community_id=point.community_id,
                    plate=plate,
                    plate_bidx=bidx,
                    visitor_pass_id=pass_id,
                    entry_point=point,
                    entered_at=now,
                ).pk
        except IntegrityError:
            record_id = existing.first()  # the same car at two entry lanes at once
    reason = Reason.VISITOR_PASS if pass_id else Reason.TEMPORARY_PARKING
    return Decision(True, reason, pass_id=pass_id, detail={"parking": record_id})


@transaction.atomic
def do_plate_event(
    *, terminal: Terminal, plate: str, event_uuid: uuidlib.UUID | None = None, now: datetime | None = None
) -> Decision:
    point = terminal.point
    if point.kind != PointKind.GARAGE_BARRIER:
        raise ServiceError("not_a_barrier", _("该终端不是车辆道闸"), fields={"plate": ""})
    replay = replayed_decision(event_uuid)
    if replay is not None:
        return replay
    now = now or timezone.now()
    try:
        plate = clean_plate(plate)
    except ServiceError:
        decision = Decision(False, Reason.PLATE_INVALID)
    else:
        bidx = blind_index("plate", plate)
        parked = ParkingRecord.objects.filter(
            community_id=point.community_id, plate_bidx=bidx, exited_at__isnull=True
        ).exists()
        exiting = point.direction == Direction.OUT or (point.direction == Direction.BOTH and parked)
        ended = ""
        resident = _by_right(point, bidx, now, exiting)
        if resident is None:
            resident, ended = _resident(point, bidx, now)
        if resident is None:
            resident = _exit(point, bidx, now) if exiting else _enter(point, plate, bidx, now)
        decision = resident
        if ended and not decision.allowed:
            decision.reason = ended  # refused: say that the car's resident right has ended
        decision.detail = {**(decision.detail or {}), "plate": mask_plate(plate)}
        if ended:
            decision.detail["vehicle"] = ended
    return record_event(
        point=point, terminal=terminal, method=Method.PLATE, decision=decision, now=now, event_uuid=event_uuid
    )


@transaction.atomic
def do_release_paid_stay(
    *, record_id: int, point_id: int, by_guard: bool, now: datetime | None = None
) -> bool:
    """The fee of a car held at an exit barrier has just been paid (parking asks, when billing
    settles the payment): the stay ends there and the barrier is told to open, without waiting
    for the camera to read the plate again. `by_guard`: paid in cash at the booth, not in an app.
    False: the stay had already ended."""
    now = now or timezone.now()
    method = Method.MANUAL if by_guard else Method.APP
    point = AccessPoint.objects.filter(pk=point_id).first()
    if point is None or not ParkingRecord.objects.filter(pk=record_id, exited_at__isnull=True).update(
        exited_at=now, exit_point=point
    ):
        return False
    decision = Decision(True, Reason.PARKING_FEE_PAID, detail={"parking": record_id})
    record_event(point=point, terminal=None, method=method, decision=decision, now=now, event_uuid=None)
    open_command(point, method, decision.event_id, now)
    return True
