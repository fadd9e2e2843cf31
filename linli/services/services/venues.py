"""Venues (activity rooms, courts, meeting rooms): staff holding services.manage set them up with
their rules; a household books whole slots inside the opening hours; staff holding
services.book_for book for a household (代办). Staff hold and return deposits.

No double booking: the venue's row is locked (select_for_update, a row lock on PostgreSQL)
before the overlap and weekly-limit checks, so racing bookings of one venue queue and the second
sees the first; on SQLite every write transaction begins IMMEDIATE and so is serial already.

A venue's rules are edited (the bookings made keep their times and deposit) and the venue
retired (no new bookings, `venue_closed`; those made stay) and reopened."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.context import on_behalf_of
from linli.core.errors import Conflict, ServiceError
from linli.core.permissions import require
from linli.core.roles import Action
from linli.registry import queries as registry_queries
from linli.registry.choices import OWNING
from linli.services.choices import DepositStatus, VenueBookingStatus
from linli.services.models import Venue, VenueBooking
from linli.services.services.billing_hook import cancel_in_app_bill, in_app_bill, raise_in_app_bill
from linli.services.services.common import for_household, in_past, local, switch_active


@transaction.atomic
def do_create_venue(
    *,
    actor: Actor,
    community_id: int,
    name: str,
    kind: str,
    opens_at: time,
    closes_at: time,
    slot_minutes: int = 60,
    max_per_week: int = 2,
    owners_only: bool = False,
    deposit_fen: int = 0,
    rules: str = "",
) -> Venue:
    """Refused: bad_hours (closing not after opening, or the day not a whole number of slots)."""
    require(actor, Action.SERVICES_MANAGE, community_id)
    _check_hours(opens_at, closes_at, slot_minutes)
    venue = Venue.objects.create(
        community_id=community_id,
        name=name.strip(),
        kind=kind,
        opens_at=opens_at,
        closes_at=closes_at,
        slot_minutes=slot_minutes,
        max_per_week=max_per_week,
        owners_only=owners_only,
        deposit_fen=deposit_fen,
        rules=rules.strip(),
    )
    audit.record(actor=actor, action="services.venue_created", obj=venue, community_id=community_id)
    return venue


def _check_hours(opens_at: time, closes_at: time, slot_minutes: int) -> None:
    span = (closes_at.hour * 60 + closes_at.minute) - (opens_at.hour * 60 + opens_at.minute)
    if span <= 0 or span % slot_minutes:
        raise ServiceError(
            "bad_hours",
            _("开放时段应为时段长度的整数倍"),
            fields={"closes_at": _("与开放时间、时段长度不符")},
        )


VENUE_FIELDS = (
    "name",
    "kind",
    "opens_at",
    "closes_at",
    "slot_minutes",
    "max_per_week",
    "owners_only",
    "deposit_fen",
    "rules",
)


def _venue_snapshot(venue: Venue) -> dict:
    return {f: getattr(venue, f) for f in (*VENUE_FIELDS, "active")}


@transaction.atomic
def do_update_venue(*, actor: Actor, venue: Venue, **changes) -> Venue:
    """`changes`: any of VENUE_FIELDS. The rules apply to bookings made from now on: a booking
    already made keeps its time and its deposit. Refused: bad_hours, name_required."""
    require(actor, Action.SERVICES_MANAGE, venue.community_id)
    unknown = set(changes) - set(VENUE_FIELDS)
    if unknown:
        raise ServiceError("bad_field", _("不能修改该字段"), fields={f: _("不可修改") for f in unknown})
    for name in ("name", "rules"):
        if name in changes:
            changes[name] = changes[name].strip()
    if "name" in changes and not changes["name"]:
        raise ServiceError("name_required", _("请填写场地名称"), fields={"name": _("必填")})
    _check_hours(
        changes.get("opens_at", venue.opens_at),
        changes.get("closes_at", venue.closes_at),
        changes.get("slot_minutes", venue.slot_minutes),
    )
    before = _venue_snapshot(venue)
    Venue.objects.filter(pk=venue.pk).update(**changes, updated_at=timezone.now())
    venue.refresh_from_db()
    audit.record_change(
        actor=actor,
        obj=venue,
        community_id=venue.community_id,
        before=before,
        snapshot=_venue_snapshot,
        action="services.venue_updated",
    )
    return venue


@transaction.atomic
def do_retire_venue(*, actor: Actor, venue: Venue) -> Venue:
    """暂停预订: no new bookings (`venue_closed`); those made stay, to be used or cancelled.
    Refused: already_retired."""
    return switch_active(
        Venue,
        venue,
        active=False,
        action="services.venue_retired",
        actor=actor,
        community_id=venue.community_id,
    )


@transaction.atomic
def do_reopen_venue(*, actor: Actor, venue: Venue) -> Venue:
    """Refused: not_retired."""
    return switch_active(
        Venue,
        venue,
        active=True,
        action="services.venue_reopened",
        actor=actor,
        community_id=venue.community_id,
    )


def _check_time(venue: Venue, starts_at: datetime, slots: int) -> datetime:
    """The booking's end; refused unless it is whole slots inside the opening hours of one day."""
    start = timezone.localtime(starts_at)
    opens = local(start.date(), venue.opens_at)
    ends_at = start + timedelta(minutes=venue.slot_minutes * slots)
    offset = (start - opens).total_seconds() / 60
    if offset < 0 or offset % venue.slot_minutes or ends_at > local(start.date(), venue.closes_at):
        raise ServiceError(
            "venue_closed", _("请选择开放时间内的整段时段"), fields={"starts_at": _("不在开放时段内")}
        )
    return ends_at


def _week_of(moment: datetime) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday, local time."""
    day = timezone.localtime(moment).date()
    monday = day - timedelta(days=day.weekday())
    return local(monday, time()), local(monday + timedelta(days=7), time())


@transaction.atomic
def do_book_venue(
    *, actor: Actor, venue: Venue, house_id: int, starts_at: datetime, slots: int = 1, purpose: str = ""
) -> VenueBooking:
    """Refused: venue_closed (inactive, outside the hours or not whole slots), booking_in_past,
    venue_not_for_you (owners only), venue_weekly_limit, venue_slot_taken, forbidden."""
    on_behalf = for_household(actor, venue.community_id, house_id)
    if not venue.active:
        raise Conflict("venue_closed", _("该场地暂停预订"))
    if starts_at <= timezone.now():
        raise in_past()
    ends_at = _check_time(venue, starts_at, slots)
    if venue.owners_only and not on_behalf:
        household = registry_queries.households([house_id])[0].household  # type: ignore[attr-defined]
        if not any(o.person.user_id == actor.pk and o.relation in OWNING for o in household):
            raise ServiceError("venue_not_for_you", _("该场地仅限业主预订"), status=403)
    # The lock every booking of this venue queues on, before anything is counted.
    Venue.objects.select_for_update().filter(pk=venue.pk).first()
    live = VenueBooking.objects.filter(venue=venue, status=VenueBookingStatus.BOOKED)
    week_start, week_end = _week_of(starts_at)
    if (
        live.filter(house_id=house_id, starts_at__gte=week_start, starts_at__lt=week_end).count()
        >= venue.max_per_week
    ):
        raise Conflict("venue_weekly_limit", _("每户每周最多预订 %(n)s 次") % {"n": venue.max_per_week})
    if live.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise Conflict("venue_slot_taken", _("该时段已被预订"))
    booking = VenueBooking.objects.create(
        community_id=venue.community_id,
        venue=venue,
        house_id=house_id,
        booked_by=actor,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=purpose.strip(),
        deposit_fen=venue.deposit_fen,
        deposit_status=DepositStatus.DUE if venue.deposit_fen else DepositStatus.NONE,
    )
    if venue.deposit_fen:
        raise_in_app_bill(
            kind="venue_deposit",
            obj=booking,
            house_id=house_id,
            amount_fen=venue.deposit_fen,
            label=str(_("%(venue)s 押金") % {"venue": venue.name}),
        )
    with on_behalf_of(f"house#{house_id}" if on_behalf else ""):
        audit.record(
            actor=actor, action="services.venue_booked", obj=booking, community_id=venue.community_id
        )
    return booking


@transaction.atomic
def do_cancel_venue_booking(*, actor: Actor, booking: VenueBooking) -> VenueBooking:
    """The household or staff holding services.book_for, before the start. Refused: forbidden,
    booking_started, not_cancellable."""
    on_behalf = not registry_queries.lives_in(actor, booking.house_id)
    if on_behalf:
        require(actor, Action.SERVICES_BOOK_FOR, booking.community_id)
    now = timezone.now()
    if booking.starts_at <= now:
        raise Conflict("booking_started", _("预订时段已开始，不能取消"))
    if not VenueBooking.objects.filter(pk=booking.pk, status=VenueBookingStatus.BOOKED).update(
        status=VenueBookingStatus.CANCELLED, cancelled_at=now, updated_at=now
    ):
        raise Conflict("not_cancellable", _("该预订已取消"))
    booking.refresh_from_db()
    cancel_in_app_bill("venue_deposit", booking, str(_("场地预订已取消")))
    with on_behalf_of(f"house#{booking.house_id}" if on_behalf else ""):
        audit.record(
            actor=actor,
            action="services.venue_booking_cancelled",
            obj=booking,
            community_id=booking.community_id,
        )
    return booking


# A deposit moves due → held → returned, each step once, by staff holding services.manage.
DEPOSIT_STEPS = {
    "hold": (DepositStatus.DUE, DepositStatus.HELD),
    "return": (DepositStatus.HELD, DepositStatus.RETURNED),
}


@transaction.atomic
def do_move_deposit(*, actor: Actor, booking: VenueBooking, step: str) -> VenueBooking:
    """Refused: bad_deposit_step (the deposit is not where the step starts)."""
    require(actor, Action.SERVICES_MANAGE, booking.community_id)
    was, becomes = DEPOSIT_STEPS[step]
    bill = in_app_bill("venue_deposit", booking)
    if step == "hold" and bill is not None and bill.paid_fen < bill.amount_fen:
        # Billed in the app: the deposit is held once its bill is paid, online or at the counter.
        raise Conflict("deposit_unpaid", _("押金账单尚未缴清"))
    if not VenueBooking.objects.filter(pk=booking.pk, deposit_status=was).update(
        deposit_status=becomes, deposit_by=actor, updated_at=timezone.now()
    ):
        raise Conflict("bad_deposit_step", _("押金状态不允许此操作"))
    booking.refresh_from_db()
    audit.record(
        actor=actor,
        action=f"services.deposit_{becomes}",
        obj=booking,
        community_id=booking.community_id,
        after={"deposit_fen": booking.deposit_fen},
    )
    return booking
