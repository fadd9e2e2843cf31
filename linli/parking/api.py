"""/api/v1/parking: shared spaces (PARK-2). Thin: reads through queries, writes through the
services. Plates are masked wherever anyone but the booker sees them; an offering person is
shown masked."""

from datetime import datetime, timedelta

from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Status

from linli.core.http import community_for, get_or_404
from linli.core.masking import mask_name, mask_plate
from linli.core.roles import Action
from linli.core.schema_types import Id
from linli.parking import queries, services
from linli.parking.models import ParkingPass, SharedBooking, SharedOffer
from linli.parking.schemas import (
    BookingIn,
    BookingOrderIn,
    BookingOrderOut,
    BookingOut,
    OfferIn,
    OfferOut,
    PassIn,
    PassOut,
    RangeIn,
    ReportOut,
    SearchOut,
    SharedUseOut,
    SlotOut,
)
from linli.parking.windows import weekdays_from_mask
from linli.registry import queries as registry_queries

router = Router(tags=["parking"])

AHEAD = timedelta(days=7)  # a search or availability without a range: the coming week
BEHIND = timedelta(days=30)  # a report without a range: the last 30 days


def _ahead(q: RangeIn) -> tuple[datetime, datetime]:
    since = q.since or timezone.now()
    return since, q.until or since + AHEAD


def _behind(q: RangeIn) -> tuple[datetime, datetime]:
    until = q.until or timezone.now()
    return q.since or until - BEHIND, until


def _active_spaces(offer: SharedOffer) -> int:
    counted = getattr(offer, "active_spaces", None)  # annotated on lists (queries._listed)
    return offer.spaces.filter(active=True).count() if counted is None else counted


def offer_out(offer: SharedOffer) -> dict:
    party = offer.organization.name if offer.organization_id else mask_name(offer.person.name)
    return {
        **{f: getattr(offer, f) for f in OfferOut.model_fields if hasattr(offer, f) and f != "windows"},
        "offered_by": party,
        "windows": [
            {"weekdays": sorted(weekdays_from_mask(w.weekdays)), "start": w.start, "end": w.end}
            for w in offer.windows.all()
        ],
        "spaces": _active_spaces(offer),
    }


def booking_out(booking: SharedBooking, *, masked: bool) -> dict:
    out = {f: getattr(booking, f) for f in BookingOut.model_fields if hasattr(booking, f)}
    out["offer_title"] = booking.offer.title
    out["space"] = booking.space.number
    out["plate"] = mask_plate(booking.plate) if masked else booking.plate
    return out


def _offer(request, offer_id: int) -> SharedOffer:
    found = queries.offer_seen_by(request.user, offer_id)
    if found is None:
        raise Http404
    return found


def _booking(request, booking_id: int) -> SharedBooking:
    found = queries.booking_for(request.user, booking_id)
    if found is None:
        raise Http404
    return found


# --- residents and drivers ----------------------------------------------------------------------


@router.get("/my/offers", response=list[OfferOut])
def bookable_offers(request):
    """The active offers of the user's communities, and those open to the public."""
    return [offer_out(o) for o in queries.bookable_offers(request.user)[:100]]


@router.get("/communities/{community_id}/search", response=list[SearchOut])
def search(request, community_id: Id, q: Query[RangeIn]):
    """Offers open for all of `[since, until)` with their free spaces (residents of the
    community, or its staff with parking.view)."""
    mine = registry_queries.my_houses(request.user).filter(community_id=community_id).exists()
    if not mine and not queries.public_offers().filter(community_id=community_id).exists():
        community_for(request, community_id, Action.PARKING_VIEW)
    found = queries.search(request.user, community_id, *_ahead(q))
    return [{"offer": offer_out(row["offer"]), "free": row["free"]} for row in found]


@router.get("/offers/{offer_id}", response=OfferOut)
def offer_detail(request, offer_id: int):
    return offer_out(_offer(request, offer_id))


@router.get("/offers/{offer_id}/availability", response=list[SlotOut])
def availability(request, offer_id: int, q: Query[RangeIn]):
    """The offer's open times over the range (at most 31 days), each with its free spaces."""
    return queries.availability(_offer(request, offer_id), *_ahead(q))


@router.post("/offers/{offer_id}/bookings", response={201: BookingOut})
def book(request, offer_id: int, payload: BookingIn):
    """A resident for their car, staff with parking.manage for an outside driver, or anyone
    signed in on an offer open to the public (then paid online by `pay_by`). 400 bad_interval /
    booking_in_past / booking_too_long / invalid_plate, 403 not_resident, 409 offer_withdrawn /
    booking_outside_window / plate_already_booked / no_free_space / online_payment_unavailable."""
    offer = _offer(request, offer_id)
    booking = services.do_book_shared_space(actor=request.user, offer=offer, **payload.model_dump())
    return Status(201, booking_out(booking, masked=False))


@router.post("/bookings/{shared_booking_id}/pay", response={201: BookingOrderOut})
def pay_booking(request, shared_booking_id: int, payload: BookingOrderIn):
    """An outside driver pays their booking online before its `pay_by`. 409 booking_expired /
    booking_not_payable; the order is paid at the provider like any other."""
    booking = _booking(request, shared_booking_id)
    if booking.booker_id != request.user.pk:
        raise Http404
    started = services.do_start_booking_payment(
        actor=request.user,
        booking=booking,
        channel=payload.channel,
        client_ip=request.META.get("REMOTE_ADDR", ""),
        scene=payload.scene or "",
        user_agent=request.headers.get("User-Agent", ""),
        absolute=request.build_absolute_uri,
    )
    p, s = started.payment, started.start
    return Status(
        201,
        {
            "out_trade_no": p.out_trade_no,
            "amount_fen": p.amount_fen,
            "kind": s.kind,
            "code_url": s.code_url,
            "redirect_url": s.redirect_url,
        },
    )


@router.get("/my/bookings", response=list[BookingOut])
def my_bookings(request):
    return [booking_out(b, masked=False) for b in queries.my_bookings(request.user)[:100]]


@router.get("/bookings/{shared_booking_id}", response=BookingOut)
def booking_detail(request, shared_booking_id: int):
    booking = _booking(request, shared_booking_id)
    return booking_out(booking, masked=booking.booker_id != request.user.pk)


@router.post("/bookings/{shared_booking_id}/cancel", response=BookingOut)
def cancel(request, shared_booking_id: int):
    """Free until the offer's hours before the start, then a share of the fee is kept. 409
    booking_not_active / booking_started."""
    booking = _booking(request, shared_booking_id)
    booking = services.do_cancel_booking(actor=request.user, booking=booking)
    return booking_out(booking, masked=booking.booker_id != request.user.pk)


# --- offering parties -----------------------------------------------------------------------------


@router.post("/offers", response={201: OfferOut})
def create_offer(request, payload: OfferIn):
    """A resident offers spaces they hold (person_id: their own), staff with parking.manage an
    organisation's. 400 bad_party / bad_windows / windows_overlap / bad_spaces / bad_policy, 403
    space_not_held, 409 space_already_offered."""
    values = payload.model_dump()
    windows = [services.window_of(w["weekdays"], w["start"], w["end"]) for w in values.pop("windows")]
    community_id = values.pop("community_id")
    mine = registry_queries.my_houses(request.user).filter(community_id=community_id).exists()
    if not mine and not queries.public_offers().filter(community_id=community_id).exists():
        community_for(request, community_id, Action.PARKING_VIEW)
    offer = services.do_create_offer(actor=request.user, community_id=community_id, windows=windows, **values)
    return Status(201, offer_out(offer))


@router.get("/my/shared-offers", response=list[OfferOut])
def my_offers(request):
    """The offers the user makes as a holder of the spaces."""
    return [offer_out(o) for o in queries.my_offers(request.user)]


def _managed(request, offer_id: int) -> SharedOffer:
    found = queries.offer_managed_by(request.user, offer_id)
    if found is None:
        raise Http404
    return found


@router.post("/offers/{offer_id}/withdraw", response=OfferOut)
def withdraw(request, offer_id: int):
    """No new bookings; those made stand. 409 offer_withdrawn."""
    return offer_out(services.do_withdraw_offer(actor=request.user, offer=_managed(request, offer_id)))


@router.get("/offers/{offer_id}/report", response=ReportOut)
def report(request, offer_id: int, q: Query[RangeIn]):
    """Occupancy and income over the range, for the offering party or staff."""
    offer = queries.offer_managed_by(request.user, offer_id) or get_or_404(
        queries.offers(request.user), pk=offer_id
    )
    return queries.offer_report(offer, *_behind(q))


@router.get("/offers/{offer_id}/bookings", response=list[BookingOut])
def offer_bookings(request, offer_id: int):
    """The offer's bookings, plates masked, for the offering party or staff."""
    offer = queries.offer_managed_by(request.user, offer_id) or get_or_404(
        queries.offers(request.user), pk=offer_id
    )
    return [booking_out(b, masked=True) for b in queries.offer_bookings(offer)[:200]]


# --- staff ----------------------------------------------------------------------------------------


@router.get("/communities/{community_id}/offers", response=list[OfferOut])
def community_offers(request, community_id: int):
    community_for(request, community_id, Action.PARKING_VIEW)
    return [offer_out(o) for o in queries.community_offers(request.user, community_id)[:200]]


@router.get("/communities/{community_id}/bookings", response=list[BookingOut])
def community_bookings(request, community_id: int):
    community_for(request, community_id, Action.PARKING_VIEW)
    return [booking_out(b, masked=True) for b in queries.community_bookings(request.user, community_id)[:200]]


@router.get("/communities/{community_id}/shared-use", response=SharedUseOut)
def shared_use(request, community_id: int, q: Query[RangeIn]):
    """Booked hours over offered space-hours across the active offers."""
    community_for(request, community_id, Action.PARKING_VIEW)
    return queries.shared_use(request.user, community_id, *_behind(q))


# --- passes (PARK-1) ----------------------------------------------------------------------------


def pass_out(parking_pass: ParkingPass, *, masked: bool) -> dict:
    out = {f: getattr(parking_pass, f) for f in PassOut.model_fields if f not in ("space", "plate")}
    out["space"] = parking_pass.space.number if parking_pass.space_id else None
    out["plate"] = mask_plate(parking_pass.plate) if masked else parking_pass.plate
    return out


def _pass(request, pass_id: int) -> ParkingPass:
    found = queries.pass_for(request.user, pass_id)
    if found is None:
        raise Http404
    return found


@router.get("/my/passes", response=list[PassOut])
def my_passes(request):
    """The passes of the user's homes."""
    return [pass_out(p, masked=False) for p in queries.my_passes(request.user)[:100]]


@router.get("/communities/{community_id}/passes", response=list[PassOut])
def community_passes(request, community_id: int):
    community_for(request, community_id, Action.PARKING_VIEW)
    return [pass_out(p, masked=True) for p in queries.community_passes(request.user, community_id)[:200]]


@router.post("/communities/{community_id}/passes", response={201: PassOut})
def issue_pass(request, community_id: int, payload: PassIn):
    """At the counter (parking.manage): unpaid until the payment is recorded. 400
    not_living_here / bad_space / invalid_plate / bad_period, 409 pass_overlaps."""
    community_for(request, community_id, Action.PARKING_VIEW)
    values = payload.model_dump()
    house = get_or_404(
        registry_queries.houses(request.user).filter(community_id=community_id), pk=values.pop("house_id")
    )
    person = get_or_404(registry_queries.people(request.user), pk=values.pop("person_id"))
    created = services.do_issue_pass(actor=request.user, house=house, person=person, **values)
    return Status(201, pass_out(created, masked=True))


@router.post("/passes/{pass_id}/renew", response={201: PassOut})
def renew_pass(request, pass_id: int):
    """The next period at the same fee, by the household in the app or by staff. 409
    pass_cancelled / pass_overlaps."""
    parking_pass = _pass(request, pass_id)
    renewed = services.do_renew_pass(actor=request.user, parking_pass=parking_pass)
    return Status(
        201, pass_out(renewed, masked=not registry_queries.lives_in(request.user, renewed.house_id))
    )


@router.post("/passes/{pass_id}/pay", response=PassOut)
def pay_pass(request, pass_id: int):
    """Staff took the fee at the counter (parking.manage). 409 pass_not_unpaid."""
    paid = services.do_record_counter_payment(actor=request.user, parking_pass=_pass(request, pass_id))
    return pass_out(paid, masked=True)


@router.post("/passes/{pass_id}/cancel", response=PassOut)
def cancel_pass(request, pass_id: int):
    """Staff void a pass (parking.manage). 409 pass_cancelled."""
    cancelled = services.do_cancel_pass(actor=request.user, parking_pass=_pass(request, pass_id))
    return pass_out(cancelled, masked=True)
