"""Service bookings (SVC-1): a resident books one occurrence of an offering's weekly slot for
their household; staff holding services.book_for book for a resident (代办: the booking and the
audit entry name who acted and for whom, the household is told). The provider's staff confirm
and complete (recording the fee paid on site); the household cancels before the start and rates
a completed booking once.

A place is taken by a conditional update of the slot day (`taken < capacity`) in the booking's
transaction, so racing bookings of the last place cannot both win, whatever the database.
A provider's login acting on another provider's booking gets `not_found`, as if it did not exist.
"""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.context import on_behalf_of
from linli.core.errors import Conflict, NotFound, ServiceError
from linli.core.permissions import may, require
from linli.core.roles import Action
from linli.notify.services import notify
from linli.registry import queries as registry_queries
from linli.services.choices import BookingStatus
from linli.services.models import ProviderStaff, ServiceBooking, ServiceOffering, ServiceSlot, SlotDay
from linli.services.services.billing_hook import raise_in_app_bill
from linli.services.services.common import for_household, in_past, local

LIVE = (BookingStatus.REQUESTED, BookingStatus.CONFIRMED)


def _slot_day(offering: ServiceOffering, slot_id: int, on: date) -> SlotDay:
    # The slot's row lock (PostgreSQL; SQLite's writers are serial already): an edit of the
    # slot's capacity takes it too, so a day is never created with a capacity being replaced.
    # (ServiceSlot.objects, not offering.slots: a resident's offering has only its open slots
    # prefetched, and the related manager would filter on them.)
    slot = ServiceSlot.objects.select_for_update(no_key=True).filter(offering=offering, pk=slot_id).first()
    if slot is None or slot.weekday != on.weekday():
        raise ServiceError("bad_slot", _("所选日期没有该时段"), fields={"slot_id": _("与日期不符")})
    if not slot.active:
        raise Conflict("slot_retired", _("该时段已停用，请选择其他时段"))
    day, _created = SlotDay.objects.get_or_create(slot=slot, date=on, defaults={"capacity": slot.capacity})
    return day


def _take_place(day: SlotDay) -> bool:
    return bool(SlotDay.objects.filter(pk=day.pk, taken__lt=F("capacity")).update(taken=F("taken") + 1))


def _person_in(house_id: int, community_id: int, person_id: int | None, actor: Actor):
    """Whom the booking is for: the named person living in the house (代办), or the actor."""
    household = registry_queries.households([house_id])[0].household  # type: ignore[attr-defined]
    wanted = [
        o.person
        for o in household
        if (o.person_id == person_id if person_id else o.person.user_id == actor.pk)
    ]
    if person_id and not wanted:
        raise ServiceError("not_in_household", _("该居民不住在此房屋"), fields={"person_id": _("不在此户")})
    return wanted[0] if wanted else None


@transaction.atomic
def do_book_service(
    *,
    actor: Actor,
    offering: ServiceOffering,
    slot_id: int,
    on: date,
    house_id: int,
    person_id: int | None = None,
    note: str = "",
) -> ServiceBooking:
    """For the actor's household, or for a resident by staff holding services.book_for (代办,
    `person_id` names the resident). Refused: offering_retired, provider_not_vetted, bad_slot,
    slot_retired, booking_in_past, slot_full, not_in_household, forbidden."""
    on_behalf = for_household(actor, offering.community_id, house_id)
    if on_behalf and not person_id:
        raise ServiceError("person_required", _("请选择为哪位居民预约"), fields={"person_id": _("必填")})
    if not offering.active:
        raise Conflict("offering_retired", _("该服务项目已下架，暂不能预约"))
    if not offering.provider.is_vetted():
        raise Conflict("provider_not_vetted", _("该服务商资质未审核或已过期，暂不能预约"))
    day = _slot_day(offering, slot_id, on)
    starts_at = local(on, day.slot.start_time)
    if starts_at <= timezone.now():
        raise in_past()
    person = _person_in(house_id, offering.community_id, person_id, actor)
    if not _take_place(day):
        raise Conflict("slot_full", _("该时段已约满，请选择其他时段"))
    booking = ServiceBooking.objects.create(
        community_id=offering.community_id,
        offering=offering,
        slot_day=day,
        house_id=house_id,
        person=person,
        person_name=person.name if person else (actor.display_name or str(actor)),
        booked_by=actor,
        on_behalf=on_behalf,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=offering.duration_minutes),
        note=note.strip(),
    )
    with on_behalf_of(f"{booking.person_name}#{person_id}" if on_behalf else ""):
        audit.record(
            actor=actor,
            action="services.booked",
            obj=booking,
            community_id=booking.community_id,
            after={"on_behalf_of": person_id} if on_behalf else None,
        )
    if on_behalf:
        _tell_household(
            booking, _("已为您预约：%(title)s"), _("工作人员已为您预约服务，如有疑问请联系物业。")
        )
    return booking


def _tell_household(booking: ServiceBooking, title, body) -> None:
    notify(
        users=registry_queries.household_user_ids(booking.house_id),
        kind="services.booking",
        title=str(title % {"title": booking.offering.title}),
        body=str(body),
        link=reverse("services:home"),
        community_id=booking.community_id,
    )


def _of_household(actor: Actor, booking: ServiceBooking) -> bool:
    return registry_queries.lives_in(actor, booking.house_id)


@transaction.atomic
def do_cancel_booking(*, actor: Actor, booking: ServiceBooking) -> ServiceBooking:
    """The household, or staff holding services.book_for (代办), before the start. Refused:
    forbidden, booking_started, not_cancellable."""
    on_behalf = not _of_household(actor, booking)
    if on_behalf:
        require(actor, Action.SERVICES_BOOK_FOR, booking.community_id)
    now = timezone.now()
    if booking.starts_at <= now:
        raise Conflict("booking_started", _("服务已开始，不能取消"))
    if not ServiceBooking.objects.filter(pk=booking.pk, status__in=LIVE).update(
        status=BookingStatus.CANCELLED, cancelled_at=now, updated_at=now
    ):
        raise Conflict("not_cancellable", _("该预约已完成或已取消"))
    SlotDay.objects.filter(pk=booking.slot_day_id).update(taken=F("taken") - 1)
    booking.refresh_from_db()
    with on_behalf_of(f"{booking.person_name}#{booking.person_id}" if on_behalf else ""):
        audit.record(
            actor=actor, action="services.booking_cancelled", obj=booking, community_id=booking.community_id
        )
    return booking


def may_handle(actor: Actor, booking: ServiceBooking) -> bool:
    """The provider's own staff, or the community's staff holding services.manage."""
    return ProviderStaff.objects.filter(
        provider_id=booking.offering.provider_id, user_id=actor.pk
    ).exists() or may(actor, Action.SERVICES_MANAGE, booking.community_id)


def _require_handler(actor: Actor, booking: ServiceBooking) -> None:
    if not may_handle(actor, booking):
        raise NotFound()  # another provider's booking is as good as missing


@transaction.atomic
def do_confirm_booking(*, actor: Actor, booking: ServiceBooking) -> ServiceBooking:
    """Refused: not_found (another provider's), not_requested."""
    _require_handler(actor, booking)
    now = timezone.now()
    if not ServiceBooking.objects.filter(pk=booking.pk, status=BookingStatus.REQUESTED).update(
        status=BookingStatus.CONFIRMED, confirmed_at=now, handled_by=actor, updated_at=now
    ):
        raise Conflict("not_requested", _("该预约不是待确认状态"))
    booking.refresh_from_db()
    audit.record(
        actor=actor, action="services.booking_confirmed", obj=booking, community_id=booking.community_id
    )
    _tell_household(booking, _("预约已确认：%(title)s"), _("服务商已确认您的预约，请按时在家。"))
    return booking


@transaction.atomic
def do_complete_booking(
    *, actor: Actor, booking: ServiceBooking, fee_fen: int, paid_on_site: bool
) -> ServiceBooking:
    """The provider records the fee and whether it was paid on site. Refused: not_found,
    not_confirmed."""
    _require_handler(actor, booking)
    now = timezone.now()
    if not ServiceBooking.objects.filter(pk=booking.pk, status=BookingStatus.CONFIRMED).update(
        status=BookingStatus.COMPLETED,
        completed_at=now,
        handled_by=actor,
        fee_fen=fee_fen,
        paid_on_site=paid_on_site,
        updated_at=now,
    ):
        raise Conflict("not_confirmed", _("该预约尚未确认或已结束"))
    booking.refresh_from_db()
    if fee_fen and not paid_on_site:
        raise_in_app_bill(
            kind="service",
            obj=booking,
            house_id=booking.house_id,
            amount_fen=fee_fen,
            label=booking.offering.title,
            payer_person_id=booking.person_id,
        )
    audit.record(
        actor=actor,
        action="services.booking_completed",
        obj=booking,
        community_id=booking.community_id,
        after={"fee_fen": fee_fen, "paid_on_site": paid_on_site},
    )
    return booking


@transaction.atomic
def do_rate_booking(
    *, actor: Actor, booking: ServiceBooking, stars: int, comment: str = ""
) -> ServiceBooking:
    """The household rates a completed booking, once. Refused: not_found, bad_rating,
    not_completed, already_rated."""
    if not _of_household(actor, booking):
        raise NotFound()
    if not 1 <= stars <= 5:
        raise ServiceError("bad_rating", _("评分应为1到5星"), fields={"stars": _("1到5")})
    if booking.status != BookingStatus.COMPLETED:
        raise Conflict("not_completed", _("服务完成后才能评价"))
    now = timezone.now()
    if not ServiceBooking.objects.filter(pk=booking.pk, rating__isnull=True).update(
        rating=stars, rating_comment=comment.strip(), rated_at=now, updated_at=now
    ):
        raise Conflict("already_rated", _("已评价过"))
    booking.refresh_from_db()
    audit.record(actor=actor, action="services.booking_rated", obj=booking, community_id=booking.community_id)
    return booking
