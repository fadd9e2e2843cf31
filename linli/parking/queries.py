"""Every read of parking that reaches a user, on `restrict()` (staff) or `own()` and the
user's own rows (residents, offering parties); and the searches the booking service and the
barrier read, which take no user (their callers decide who may act).

The free-space search reads no window per space: an offer's spaces share its windows, so the
windows are checked once per offer (a handful, in Python), and the spaces in one statement that
keeps those without a holding booking overlapping the interval (NOT EXISTS on the index
(space, start_at, end_at)).
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from linli.core.masking import mask_plate
from linli.core.roles import Action
from linli.parking.choices import HOLDING, BookingStatus, OfferStatus, PassStatus
from linli.parking.models import OfferSpace, ParkingPass, SharedBooking, SharedOffer
from linli.parking.windows import inside, occurrences
from linli.registry.models import ParkingSpace

# How early before its start a booked car may enter (it may queue at the barrier).
ENTRY_SLACK = timedelta(minutes=15)


def overlapping(bookings: QuerySet, start: datetime, end: datetime) -> QuerySet:
    """The holding bookings among `bookings` that overlap `[start, end)`."""
    return bookings.filter(status__in=HOLDING, start_at__lt=end, end_at__gt=start)


def _free(spaces: QuerySet, start: datetime, end: datetime) -> QuerySet:
    taken = overlapping(SharedBooking.objects.filter(space_id=OuterRef("space_id")), start, end)
    return spaces.filter(active=True).exclude(Exists(taken))


def free_space_ids(offer_id: int, start: datetime, end: datetime, limit: int = 100) -> list[int]:
    """Spaces of the offer free for all of `[start, end)`, lowest id first (the booking service
    tries them in this order, so racers meet on the same row lock)."""
    rows = _free(OfferSpace.objects.filter(offer_id=offer_id), start, end)
    return list(rows.order_by("space_id").values_list("space_id", flat=True)[:limit])


# --- offers -------------------------------------------------------------------------------------


def _listed(offers_qs: QuerySet) -> QuerySet:
    """What an offer's line shows, in a fixed number of queries however many offers: the party,
    the windows and the count of active spaces."""
    return (
        offers_qs.select_related("organization", "person")
        .prefetch_related("windows")
        .annotate(active_spaces=Count("spaces", filter=Q(spaces__active=True)))
    )


def offers(user):
    return SharedOffer.objects.restrict(user, Action.PARKING_VIEW)


def community_offers(user, community_id: int):
    return _listed(offers(user).filter(community_id=community_id))


def public_offers():
    """Active offers open to drivers who do not live here (no personal data: titles and prices)."""
    return SharedOffer.objects.filter(status=OfferStatus.ACTIVE, open_to_public=True)


def bookable_offers(user):
    """The active offers of the user's communities, and those open to the public."""
    return _listed(SharedOffer.objects.own(user) | public_offers())


def my_offers(user):
    """The offers the user makes as a person holding the spaces."""
    return _listed(SharedOffer.objects.filter(person__user=user))


def offer_seen_by(user, offer_id: int) -> SharedOffer | None:
    """Staff's, the offering person's, or one a resident may book."""
    for found in (offers(user), my_offers(user), bookable_offers(user)):
        offer = found.filter(pk=offer_id).first()
        if offer is not None:
            return offer
    return None


def offer_managed_by(user, offer_id: int) -> SharedOffer | None:
    """The offering person's own, or staff's with parking.manage."""
    return (
        my_offers(user).filter(pk=offer_id).first()
        or SharedOffer.objects.restrict(user, Action.PARKING_MANAGE).filter(pk=offer_id).first()
    )


def search(user, community_id: int, start: datetime, end: datetime) -> list[dict]:
    """The offers of the community the user may book (a resident's; staff's with parking.view)
    open for all of `[start, end)`, each with
    how many of its spaces are free then: [{"offer", "free"}], most free first."""
    mine = bookable_offers(user).filter(community_id=community_id)
    if not mine.exists():  # staff searching for a driver at the counter
        mine = _listed(offers(user).filter(community_id=community_id, status=OfferStatus.ACTIVE))
    candidates = [o for o in mine if inside((start, end), o.windows_list())]
    if not candidates:
        return []
    spaces = OfferSpace.objects.filter(offer__in=[o.pk for o in candidates])
    counts = dict(
        _free(spaces, start, end).values("offer_id").annotate(n=Count("id")).values_list("offer_id", "n")
    )
    found = [{"offer": o, "free": counts.get(o.pk, 0)} for o in candidates]
    return sorted(found, key=lambda row: (-row["free"], row["offer"].pk))


def availability(offer: SharedOffer, since: datetime, until: datetime) -> list[dict]:
    """The offer's occurrences over `[since, until)` (at most 31 days), each with how many of
    its spaces are free for all of it. One read of the bookings in the range, however many
    spaces: a space is busy in an occurrence when one of its bookings overlaps it."""
    until = min(until, since + timedelta(days=31))
    spans = occurrences(offer.windows_list(), since, until)
    total = OfferSpace.objects.filter(offer=offer, active=True).count()
    busy: dict[int, set[int]] = defaultdict(set)
    rows = overlapping(SharedBooking.objects.filter(offer=offer), since, until).values_list(
        "space_id", "start_at", "end_at"
    )
    for space_id, start, end in rows:
        for i, (a, b) in enumerate(spans):
            if start < b and a < end:
                busy[i].add(space_id)
    return [{"start": a, "end": b, "free": max(0, total - len(busy[i]))} for i, (a, b) in enumerate(spans)]


# --- bookings -----------------------------------------------------------------------------------


def bookings(user):
    return SharedBooking.objects.restrict(user, Action.PARKING_VIEW)


def community_bookings(user, community_id: int):
    return bookings(user).filter(community_id=community_id).select_related("space", "offer")


def my_bookings(user):
    return SharedBooking.objects.filter(booker=user).select_related("space", "offer")


def booking_for(user, booking_id: int) -> SharedBooking | None:
    """The booker's own, or one staff may handle (parking.manage)."""
    return (
        my_bookings(user).filter(pk=booking_id).first()
        or SharedBooking.objects.restrict(user, Action.PARKING_MANAGE)
        .select_related("offer", "space")
        .filter(pk=booking_id)
        .first()
    )


def offer_bookings(offer: SharedOffer):
    """An offer's bookings, for its offering party (the caller found the offer for them)."""
    return SharedBooking.objects.filter(offer=offer).select_related("space")


def booking_at_entry(community_id: int, plate_bidx: str, now: datetime) -> SharedBooking | None:
    """The booking that lets the car in now: booked, not yet entered, from 15 minutes before its
    start until its end. No user: the barrier's (access calls parking's registered right)."""
    return (
        SharedBooking.objects.filter(
            community_id=community_id,
            plate_bidx=plate_bidx,
            status=BookingStatus.BOOKED,
            entered_at__isnull=True,
            start_at__lte=now + ENTRY_SLACK,
            end_at__gt=now,
        )
        .order_by("start_at")
        .first()
    )


def booking_inside(community_id: int, plate_bidx: str) -> SharedBooking | None:
    """The booking under which the car is inside now (entered, not yet left)."""
    return (
        SharedBooking.objects.filter(
            community_id=community_id,
            plate_bidx=plate_bidx,
            status=BookingStatus.BOOKED,
            entered_at__isnull=False,
            exited_at__isnull=True,
        )
        .select_related("offer")
        .first()
    )


# --- occupancy and income -----------------------------------------------------------------------


def _offered_hours(offer: SharedOffer, since: datetime, until: datetime, spaces: int) -> float:
    spans = occurrences(offer.windows_list(), since, until)
    seconds = sum((min(b, until) - max(a, since)).total_seconds() for a, b in spans)
    return seconds / 3600 * spaces


def _booked_hours(bookings_qs: QuerySet, since: datetime, until: datetime) -> float:
    seconds = 0.0
    for start, end in overlapping(bookings_qs, since, until).values_list("start_at", "end_at"):
        seconds += (min(end, until) - max(start, since)).total_seconds()
    return seconds / 3600


def income(bookings_qs: QuerySet) -> int:
    """Fen earned: the fees of bookings kept (booked or completed), the share kept of late
    cancellations, and overstays."""
    kept = bookings_qs.aggregate(
        fees=Sum("fee_fen", filter=Q(status__in=HOLDING)),
        cancel=Sum("cancel_fee_fen", filter=Q(status=BookingStatus.CANCELLED)),
        overstay=Sum("overstay_fen"),
    )
    return sum(v or 0 for v in kept.values())


def offer_report(offer: SharedOffer, since: datetime, until: datetime) -> dict:
    """Occupancy (booked hours over offered space-hours) and income of one offer."""
    scoped = SharedBooking.objects.filter(offer=offer)
    spaces = OfferSpace.objects.filter(offer=offer, active=True).count()
    offered = _offered_hours(offer, since, until, spaces)
    booked = _booked_hours(scoped, since, until)
    in_range = scoped.filter(start_at__lt=until, end_at__gt=since)
    return {
        "offer_id": offer.pk,
        "spaces": spaces,
        "bookings": overlapping(scoped, since, until).count(),
        "offered_hours": round(offered, 1),
        "booked_hours": round(booked, 1),
        "occupancy": round(booked / offered, 4) if offered else 0.0,
        "income_fen": income(in_range),
    }


def shared_use(user, community_id: int, since: datetime, until: datetime) -> dict:
    """The community's shared-use rate: booked hours over offered space-hours, over the active
    offers (staff with parking.view)."""
    live = community_offers(user, community_id).filter(status=OfferStatus.ACTIVE).prefetch_related("windows")
    offered = booked = 0.0
    for offer in live:
        spaces = OfferSpace.objects.filter(offer=offer, active=True).count()
        offered += _offered_hours(offer, since, until, spaces)
        booked += _booked_hours(SharedBooking.objects.filter(offer=offer), since, until)
    return {
        "offers": len(live),
        "offered_hours": round(offered, 1),
        "booked_hours": round(booked, 1),
        "rate": round(booked / offered, 4) if offered else 0.0,
    }


# --- passes ---------------------------------------------------------------------------------------


def passes_valid_today(community_id: int, plate_bidx: str, now: datetime, status: str):
    today = timezone.localdate(now)
    return ParkingPass.objects.filter(
        community_id=community_id,
        plate_bidx=plate_bidx,
        status=status,
        valid_from__lte=today,
        valid_to__gte=today,
    )


def valid_pass(community_id: int, plate_bidx: str, now: datetime) -> int | None:
    """The id of a paid pass for the plate valid today (local date), if any. No user: the
    barrier's."""
    return (
        passes_valid_today(community_id, plate_bidx, now, PassStatus.ACTIVE)
        .values_list("pk", flat=True)
        .first()
    )


def passes(user):
    return ParkingPass.objects.restrict(user, Action.PARKING_VIEW)


def community_passes(user, community_id: int):
    return passes(user).filter(community_id=community_id).select_related("house", "space")


def my_passes(user):
    """The passes of the user's homes."""
    return ParkingPass.objects.own(user).select_related("space")


def pass_for(user, pass_id: int) -> ParkingPass | None:
    return my_passes(user).filter(pk=pass_id).first() or passes(user).filter(pk=pass_id).first()


# --- the spaces map -------------------------------------------------------------------------------

# A space's state right now, the strongest first: a shared booking whose time covers now, a paid
# pass valid today naming the space, a place in an active offer, none of these.
BOOKED, PASS, OFFERED, FREE = "booked", "pass", "offered", "free"


class SpaceTile(NamedTuple):
    id: int
    number: str
    kind: str  # registry's SpaceKind
    state: str  # BOOKED, PASS, OFFERED or FREE
    plate: str  # masked: the car of the booking or the pass taking the space now; "" otherwise
    shared: bool  # in an active offer


@dataclass
class SpaceArea:
    """The spaces of one area with their counts now, and the shared use of its offered spaces
    over the report's range (booked hours over offered space-hours)."""

    name: str
    tiles: list[SpaceTile] = field(default_factory=list)
    offered_hours: float = 0.0
    booked_hours: float = 0.0

    def count(self, *states: str) -> int:
        return sum(1 for t in self.tiles if t.state in states)

    @property
    def total(self) -> int:
        return len(self.tiles)

    @property
    def free(self) -> int:
        """Neither booked nor under a pass now (an offered space not booked now is free)."""
        return self.count(OFFERED, FREE)

    @property
    def booked(self) -> int:
        return self.count(BOOKED)

    @property
    def passes(self) -> int:
        return self.count(PASS)

    @property
    def offered(self) -> int:
        return self.count(OFFERED)

    @property
    def shared(self) -> int:
        """In an active offer, booked now or not."""
        return sum(1 for t in self.tiles if t.shared)

    @property
    def rate(self) -> float | None:
        """Shared-use rate, or None when nothing of the area was offered."""
        return round(self.booked_hours / self.offered_hours, 4) if self.offered_hours else None


def area_of(area_name: str, number: str) -> str:
    """The area a space is shown under: its registry area (`area_name`); without one, the prefix
    of its number (`B1-012` → `B1-…`, `A12` → `A…`); a number without a prefix, ""."""
    if area_name:
        return area_name
    head, dash, _tail = number.rpartition("-")
    if dash and head:
        return f"{head}-…"
    letters = re.match(r"[^\W\d_]*", number)
    return f"{letters[0]}…" if letters and letters[0] else ""


def spaces_map(user, community_id: int, now: datetime, since: datetime) -> list[SpaceArea]:
    """Every parking space of the community the user may see (parking.view), by area (areas and
    spaces in the order of their names), each with its state now, and per area the shared use
    over `[since, now)` of the active offers.

    A fixed number of statements however many spaces: the spaces; the bookings covering now; the
    passes valid today that name a space; the active offers with their windows and their active
    spaces; the bookings of those offers over the range. Plates come back masked."""
    spaces = ParkingSpace.objects.restrict(user, Action.PARKING_VIEW).filter(community_id=community_id)
    rows = list(spaces.order_by("area_name", "number", "id").values_list("id", "number", "kind", "area_name"))
    taken = dict(
        bookings(user)
        .filter(community_id=community_id, status__in=HOLDING, start_at__lte=now, end_at__gt=now)
        .values_list("space_id", "plate")
    )
    today = timezone.localdate(now)
    under_pass = dict(
        passes(user)
        .filter(
            community_id=community_id,
            status=PassStatus.ACTIVE,
            space__isnull=False,
            valid_from__lte=today,
            valid_to__gte=today,
        )
        .values_list("space_id", "plate")
    )
    live = list(
        offers(user).filter(community_id=community_id, status=OfferStatus.ACTIVE).prefetch_related("windows")
    )
    per_space = {o.pk: _offered_hours(o, since, now, 1) for o in live}
    offered_hours: dict[int, float] = {}
    for space_id, offer_id in OfferSpace.objects.filter(
        offer__in=[o.pk for o in live], active=True
    ).values_list("space_id", "offer_id"):
        offered_hours[space_id] = per_space[offer_id]
    # summed by the database, a row per booked space (not per booking)
    used = overlapping(bookings(user).filter(offer__in=[o.pk for o in live]), since, now)
    booked_hours = {
        space_id: held.total_seconds() / 3600
        for space_id, held in used.values("space_id")
        .annotate(held=Sum(Least("end_at", Value(now)) - Greatest("start_at", Value(since))))
        .values_list("space_id", "held")
    }

    areas: dict[str, SpaceArea] = {}
    for space_id, number, kind, area_name in rows:
        name = area_of(area_name, number)
        area = areas.get(name)
        if area is None:
            area = areas[name] = SpaceArea(name)
        if space_id in taken:
            state, plate = BOOKED, taken[space_id]
        elif space_id in under_pass:
            state, plate = PASS, under_pass[space_id]
        else:
            state, plate = (OFFERED if space_id in offered_hours else FREE), ""
        shared = space_id in offered_hours
        area.tiles.append(SpaceTile(space_id, number, kind, state, mask_plate(plate), shared))
        area.offered_hours += offered_hours.get(space_id, 0.0)
        area.booked_hours += booked_hours.get(space_id, 0.0)
    return sorted(areas.values(), key=lambda a: (a.name == "", a.name))
