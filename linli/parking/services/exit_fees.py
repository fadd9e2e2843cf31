"""A visitor pays at the exit (PARK-1, docs/parking.md): plate read at the exit → the stay's fee →
paid in the app, by scanning the code the barrier shows, or in cash at the booth → the barrier
opens.

At an exit barrier a car on a temporary stay that owes a fee is held (PARKING_FEE_UNPAID, not a
security event); the decision carries the amount and the stay's pay link, which the terminal
shows as a QR code. Once the bill is paid, billing calls `on_stay_paid`: if the car was held at
a barrier in the last minutes it is let out there at once (the stay ends, the terminal gets an
open command); a driver who paid on their phone before driving up is let out by the plate read,
within the grace period. A car that came in on a resident's visitor pass leaves free (its host
invited it), as does every car where the community has set no temporary parking fee.
"""

from datetime import datetime, timedelta

from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.access import queries as access_queries
from linli.access.services.vehicles import Decision, Reason, do_release_paid_stay
from linli.billing.services import counter, stay_fees
from linli.core.errors import NotFound, ServiceError
from linli.core.permissions import require
from linli.core.roles import Action

SALT = "linli.parking.exit"
# A car held longer ago than this has backed away or is being dealt with by the guard: paying
# then opens nothing by itself; the next plate read lets it out.
HELD_RECENTLY = timedelta(minutes=10)


def pay_token(record_id: int) -> str:
    """The same link for a stay every time the barrier shows it (no time in it)."""
    return signing.Signer(salt=SALT).sign(str(record_id))


def stay_of(token: str) -> int | None:
    try:
        return int(signing.Signer(salt=SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def pay_path(record_id: int) -> str:
    return reverse("parking:exit_pay", args=[pay_token(record_id)])


def leave(point, plate_bidx: str, now: datetime) -> Decision | None:
    """Held with the fee and the pay link, or None: nothing is owed (no fee set, within the free
    minutes, paid and within the grace period, a visitor's pass) and access ends the stay."""
    stay = access_queries.open_stay(point.community_id, plate_bidx)
    if stay is None or stay[2] is not None:
        return None
    record_id, entered_at, _pass = stay
    bill = stay_fees.bill_stay(point.community_id, record_id, entered_at, now)
    if bill is None:
        return None
    return Decision(
        False,
        Reason.PARKING_FEE_UNPAID,
        detail={"parking": record_id, "fee_fen": bill.owed_fen, "pay": pay_path(record_id)},
    )


def on_stay_paid(record_id: int, at_counter: bool) -> None:
    """Billing settled a stay's bill: open the barrier the car waits at, if it waits at one."""
    now = timezone.now()
    point_id = access_queries.held_at(record_id, now - HELD_RECENTLY)
    if point_id is not None:
        do_release_paid_stay(record_id=record_id, point_id=point_id, by_guard=at_counter, now=now)


def stay_in(community_id: int, record_id: int):
    record = access_queries.stay(record_id)
    if record is None or record.community_id != community_id:
        raise NotFound()
    return record


def bill_for_payment(record, now: datetime | None = None):
    """The bill a driver is about to pay for their stay, priced now; refused if nothing is owed."""
    if record.exited_at is not None:
        raise ServiceError("stay_ended", _("该车辆已离场"), status=409)
    bill = None
    if record.visitor_pass_id is None:
        bill = stay_fees.bill_stay(record.community_id, record.pk, record.entered_at, now or timezone.now())
    if bill is None:
        raise ServiceError("nothing_owed", _("无需缴费，可直接离场"), status=409)
    return bill


def do_pay_at_booth(*, actor, community_id: int, record_id: int, channel: str, idempotency_key: str):
    """The guard takes the fee in cash or by card and the barrier the car waits at opens: the way
    out for a driver without a phone to pay on."""
    require(actor, Action.PARKING_COLLECT, community_id)
    bill = bill_for_payment(stay_in(community_id, record_id))
    return counter.do_take_stay_payment(
        actor=actor, bill=bill, channel=channel, idempotency_key=idempotency_key
    )
