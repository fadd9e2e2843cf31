"""Booking a shared space (PARK-2), cancelling by the offer's policy.

No space is ever booked twice for overlapping time, however many bookings race: a booking is
written only inside the transaction that holds the space's row lock (`select_for_update`) and,
under that lock, found no holding booking of the space overlapping `[start_at, end_at)`.
PostgreSQL queues the racers on the row lock, and a racer let through re-reads (READ COMMITTED:
each statement sees what committed before it) and finds the winner's booking; on SQLite every
transaction begins IMMEDIATE behind the writer lock (linli/core/sqlite), so they run one after
another anyway.

Who books: a resident of the offer's community for themselves, staff holding parking.manage
for an outside driver (an office worker at the counter: 代办, audited), or — on an offer open
to the public — anyone signed in with their phone (an office worker nearby), who pays online
within `PUBLIC_PAY_MINUTES`: until then the space is held, the barrier lets the car in only
once paid, and an unpaid booking lapses (`lapse_unpaid`, every minute), freeing the space.
The fee is the offer's price per started hour, recorded on the booking and billed to the
resident's house where the community bills parking in the app (charges.py).

Cancelling: free until `cancel_free_hours` before the start; later, `cancel_fee_percent` of the
fee is kept and the rest refunded; once the booking started (or the car entered) it cannot be
cancelled.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.billing.services import pay
from linli.core import audit
from linli.core.actor import Actor
from linli.core.context import on_behalf_of
from linli.core.crypto import blind_index
from linli.core.errors import Conflict, Forbidden, NotFound, ServiceError
from linli.core.masking import mask_plate
from linli.core.permissions import may, require
from linli.core.roles import Action
from linli.parking import charges
from linli.parking.choices import BookingStatus, OfferStatus
from linli.parking.models import SharedBooking, SharedOffer
from linli.parking.queries import free_space_ids, overlapping
from linli.parking.windows import inside, started_hours
from linli.registry import queries as registry_queries
from linli.registry.models import ParkingSpace
from linli.registry.validators import clean_plate

PUBLIC_PAY_MINUTES = 15
PUBLIC_PAY = timedelta(minutes=PUBLIC_PAY_MINUTES)
MAX_BOOKING = timedelta(days=7)
MAX_AHEAD = timedelta(days=60)


def _check_interval(start_at: datetime, end_at: datetime, now: datetime) -> None:
    if end_at <= start_at:
        raise ServiceError(
            "bad_interval", _("结束时间应晚于开始时间"), fields={"end_at": _("应晚于开始时间")}
        )
    if start_at < now:
        raise ServiceError("booking_in_past", _("不能预约已经过去的时间"), fields={"start_at": _("已过去")})
    if end_at - start_at > MAX_BOOKING or start_at - now > MAX_AHEAD:
        raise ServiceError(
            "booking_too_long", _("一次最多预约 7 天，最早提前 60 天"), fields={"end_at": _("超出范围")}
        )


@transaction.atomic
def do_book_shared_space(
    *,
    actor: Actor,
    offer: SharedOffer,
    start_at: datetime,
    end_at: datetime,
    plate: str,
    now: datetime | None = None,
) -> SharedBooking:
    """Refused: bad_interval, booking_in_past, booking_too_long, invalid_plate (400),
    not_resident (403), offer_withdrawn, booking_outside_window, plate_already_booked,
    no_free_space (409)."""
    now = now or timezone.now()
    _check_interval(start_at, end_at, now)
    plate = clean_plate(plate)
    house = registry_queries.my_houses(actor).filter(community_id=offer.community_id).first()
    for_driver = house is None and may(actor, Action.PARKING_MANAGE, offer.community_id)
    public = house is None and not for_driver
    if public and not offer.open_to_public:
        raise Forbidden(_("仅本小区住户可以预约共享车位"), code="not_resident")
    if public and not charges.bills_parking(offer.community_id):
        raise Conflict("online_payment_unavailable", _("该共享车位暂不支持在线支付，请联系物业预约"))
    if offer.status != OfferStatus.ACTIVE:
        raise Conflict("offer_withdrawn", _("共享已撤回，不能预约"))
    if not inside((start_at, end_at), offer.windows_list()):
        raise Conflict(
            "booking_outside_window", _("预约时间不在共享时段内"), fields={"start_at": _("不在共享时段内")}
        )
    bidx = blind_index("plate", plate)
    same_car = SharedBooking.objects.filter(community_id=offer.community_id, plate_bidx=bidx)
    if overlapping(same_car, start_at, end_at).exists():
        raise Conflict("plate_already_booked", _("该车辆在此时段已有预约"), fields={"plate": _("已有预约")})
    booking = None
    for space_id in free_space_ids(offer.pk, start_at, end_at):
        # The lock, then the check under it: see the module's docstring.
        list(ParkingSpace.objects.select_for_update().filter(pk=space_id).values_list("pk", flat=True))
        if overlapping(SharedBooking.objects.filter(space_id=space_id), start_at, end_at).exists():
            continue  # taken by a racer between the search and the lock
        booking = SharedBooking.objects.create(
            community_id=offer.community_id,
            offer=offer,
            space_id=space_id,
            start_at=start_at,
            end_at=end_at,
            plate=plate,
            plate_bidx=bidx,
            booker=actor,
            house=house,
            pay_by=now + PUBLIC_PAY if public else None,
            fee_fen=offer.price_fen * started_hours(start_at, end_at),
        )
        break
    if booking is None:
        raise Conflict("no_free_space", _("该时段车位已订满"))
    charges.bill_booking(booking)
    with on_behalf_of(f"driver {mask_plate(plate)}" if for_driver else ""):
        audit.record(
            actor=actor,
            action="parking.booked",
            obj=booking,
            community_id=offer.community_id,
            after={"plate": mask_plate(plate), "space": space_id, "fee_fen": booking.fee_fen},
        )
    return booking


def cancel_terms(booking: SharedBooking, now: datetime) -> tuple[int, int]:
    """(fee kept, refund) if the booking were cancelled at `now`."""
    offer = booking.offer
    if now <= booking.start_at - timedelta(hours=offer.cancel_free_hours):
        return 0, booking.fee_fen
    kept = (booking.fee_fen * offer.cancel_fee_percent + 50) // 100  # to the nearest fen
    return kept, booking.fee_fen - kept


@transaction.atomic
def do_cancel_booking(*, actor: Actor, booking: SharedBooking, now: datetime | None = None) -> SharedBooking:
    """The booker, or staff holding parking.manage for them. Refused: booking_not_active,
    booking_started (409)."""
    if booking.booker_id != actor.pk:
        require(actor, Action.PARKING_MANAGE, booking.community_id)
    now = now or timezone.now()
    if booking.status != BookingStatus.BOOKED:
        raise Conflict("booking_not_active", _("预约已取消或已完成"))
    if booking.entered_at is not None or now >= booking.start_at:
        raise Conflict("booking_started", _("预约已开始，不能取消"))
    kept, refund = cancel_terms(booking, now)
    if not SharedBooking.objects.filter(
        pk=booking.pk, status=BookingStatus.BOOKED, entered_at__isnull=True
    ).update(
        status=BookingStatus.CANCELLED,
        cancelled_at=now,
        cancel_fee_fen=kept,
        refund_fen=refund,
        updated_at=now,
    ):
        raise Conflict("booking_not_active", _("预约已取消或已完成"))
    booking.refresh_from_db()
    charges.rebill_cancelled(booking)
    audit.record(
        actor=actor,
        action="parking.booking_cancelled",
        obj=booking,
        community_id=booking.community_id,
        after={"kept_fen": kept, "refund_fen": refund, "on_behalf_of": booking.booker_id},
    )
    return booking


def lapse_unpaid(now: datetime | None = None) -> int:
    """Bookings from outside drivers not paid by their deadline are cancelled (nothing kept,
    nothing to refund) and their bills voided: the space is free again. A payment arriving after
    that is kept on billing's prepayment without a house, for a refund."""
    now = now or timezone.now()
    lapsed = 0
    for booking in SharedBooking.objects.filter(status=BookingStatus.BOOKED, pay_by__lt=now).select_related(
        "offer"
    ):
        with transaction.atomic():
            bill = charges.booking_bill(booking)
            if bill is not None and bill.owed_fen == 0:  # paid in time: no longer due
                SharedBooking.objects.filter(pk=booking.pk).update(pay_by=None, updated_at=now)
                continue
            if not SharedBooking.objects.filter(pk=booking.pk, status=BookingStatus.BOOKED).update(
                status=BookingStatus.CANCELLED, cancelled_at=now, updated_at=now
            ):
                continue
            booking.refresh_from_db()
            charges.rebill_cancelled(booking)
            audit.record(
                actor=None,
                action="parking.booking_lapsed",
                obj=booking,
                community_id=booking.community_id,
                after={"pay_by": booking.pay_by.isoformat() if booking.pay_by else None},
            )
            lapsed += 1
    return lapsed


def require_payable(booking: SharedBooking, now: datetime | None = None):
    """An outside driver's booking may be paid until its deadline, and only once."""
    now = now or timezone.now()
    not_payable = Conflict("booking_not_payable", _("该预约无需在线支付或已支付"))
    if booking.pay_by is None:
        raise not_payable
    if booking.status != BookingStatus.BOOKED or booking.pay_by < now:
        raise Conflict("booking_expired", _("预约已超过支付时限，已自动取消，请重新预约"))
    bill = charges.booking_bill(booking)
    if bill is None or bill.owed_fen == 0:
        raise not_payable
    return bill


def do_start_booking_payment(
    *, actor: Actor, booking: SharedBooking, channel: str, absolute, client_ip="", scene="", user_agent=""
):
    """The outside driver who booked opens an order for its fee, before `pay_by`; `absolute`
    makes the provider's callback URLs (the request's build_absolute_uri)."""
    if booking.booker_id != actor.pk:
        raise NotFound()
    bill = require_payable(booking)
    return pay.do_create_houseless_order(
        bill=bill,
        channel=channel,
        actor=actor,
        client_ip=client_ip,
        scene=pay.scene_for(scene, user_agent),
        **pay.callback_urls(absolute, channel),
    )
