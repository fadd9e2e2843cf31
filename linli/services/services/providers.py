"""Providers and the catalogue (SVC-1): staff holding services.manage register an organisation
of the registry as a provider, record its licence (vetting), link the provider's logins, and set
up its offerings and their weekly slots. A provider without a licence on record, or whose
licence has expired, takes no bookings (`provider_not_vetted`, checked at booking time).

Offerings and slots are edited and retired (no new bookings, the existing ones stay valid) and
reopened; a slot's capacity moves the days not yet past with it, never below the places they
have taken (`slot_capacity_below_booked`), and its time moves only while it has no live booking
to come (`slot_has_bookings`). A provider's logins are linked by user or by phone number, and
unlinked."""

from datetime import date, time

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.crypto import blind_index
from linli.core.errors import Conflict, NotFound, ServiceError
from linli.core.permissions import require
from linli.core.roles import Action
from linli.registry.models import Organization
from linli.registry.validators import clean_phone
from linli.services.choices import BookingStatus
from linli.services.models import (
    Provider,
    ProviderStaff,
    ServiceBooking,
    ServiceOffering,
    ServiceSlot,
    SlotDay,
)
from linli.services.services.common import switch_active


@transaction.atomic
def do_register_provider(*, actor: Actor, community_id: int, organization_id: int) -> Provider:
    """Refused: not_found (an organisation of another community), already_provider."""
    require(actor, Action.SERVICES_MANAGE, community_id)
    organization = Organization.objects.filter(pk=organization_id, community_id=community_id).first()
    if organization is None:
        raise ServiceError(
            "not_found", _("组织不存在"), fields={"organization_id": _("不在本小区")}, status=404
        )
    try:
        with transaction.atomic():
            provider = Provider.objects.create(community_id=community_id, organization=organization)
    except IntegrityError:
        raise Conflict("already_provider", _("该组织已是服务商")) from None
    audit.record(actor=actor, action="services.provider_registered", obj=provider, community_id=community_id)
    return provider


@transaction.atomic
def do_record_licence(
    *, actor: Actor, provider: Provider, licence_number: str, licence_kind: str, valid_until: date
) -> Provider:
    """Vetting: the licence on record, who checked it and when. Refused: licence_expired."""
    require(actor, Action.SERVICES_MANAGE, provider.community_id)
    if valid_until < timezone.localdate():
        raise ServiceError("licence_expired", _("许可证已过期"), fields={"valid_until": _("已过期")})
    now = timezone.now()
    Provider.objects.filter(pk=provider.pk).update(
        licence_number=licence_number.strip(),
        licence_kind=licence_kind.strip(),
        licence_valid_until=valid_until,
        vetted_at=now,
        vetted_by=actor,
        updated_at=now,
    )
    provider.refresh_from_db()
    audit.record(
        actor=actor,
        action="services.provider_vetted",
        obj=provider,
        community_id=provider.community_id,
        after={"licence_number": provider.licence_number, "valid_until": str(valid_until)},
    )
    return provider


@transaction.atomic
def do_add_provider_staff(*, actor: Actor, provider: Provider, user_id: int) -> ProviderStaff:
    """Links a login to the provider. Refused: not_found (no such user), already_staff."""
    require(actor, Action.SERVICES_MANAGE, provider.community_id)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ServiceError("not_found", _("用户不存在"), fields={"user_id": _("不存在")}, status=404)
    try:
        with transaction.atomic():
            link = ProviderStaff.objects.create(provider=provider, user=user)
    except IntegrityError:
        raise Conflict("already_staff", _("该用户已是此服务商的人员")) from None
    audit.record(
        actor=actor,
        action="services.provider_staff_added",
        obj=provider,
        community_id=provider.community_id,
        after={"user_id": user.pk},
    )
    return link


@transaction.atomic
def do_link_provider_login(*, actor: Actor, provider: Provider, phone: str) -> ProviderStaff:
    """Links the account signed in with this phone number (found by its blind index; the number
    itself is never stored or shown here). Refused: invalid_phone, not_found (no account with
    that number: the person signs in once with it first), already_staff."""
    require(actor, Action.SERVICES_MANAGE, provider.community_id)
    phone = clean_phone(phone)
    user = get_user_model().objects.filter(phone_bidx=blind_index("phone", phone), is_active=True).first()
    if user is None:
        raise ServiceError(
            "not_found",
            _("没有使用该手机号的账号，请对方先用此手机号登录一次"),
            fields={"phone": _("未注册")},
            status=404,
        )
    return do_add_provider_staff(actor=actor, provider=provider, user_id=user.pk)


@transaction.atomic
def do_remove_provider_staff(*, actor: Actor, provider: Provider, user_id: int) -> None:
    """Unlinks a login: from now on it sees none of the provider's bookings. Refused: not_found
    (not a login of this provider)."""
    require(actor, Action.SERVICES_MANAGE, provider.community_id)
    if not ProviderStaff.objects.filter(provider=provider, user_id=user_id).delete()[0]:
        raise NotFound()
    audit.record(
        actor=actor,
        action="services.provider_staff_removed",
        obj=provider,
        community_id=provider.community_id,
        after={"user_id": user_id},
    )


@transaction.atomic
def do_create_offering(
    *,
    actor: Actor,
    provider: Provider,
    category: str,
    title: str,
    duration_minutes: int,
    price_fen: int | None = None,
    description: str = "",
) -> ServiceOffering:
    """`price_fen` None: quoted on site."""
    require(actor, Action.SERVICES_MANAGE, provider.community_id)
    offering = ServiceOffering.objects.create(
        community_id=provider.community_id,
        provider=provider,
        category=category,
        title=title.strip(),
        description=description.strip(),
        price_fen=price_fen,
        duration_minutes=duration_minutes,
    )
    audit.record(
        actor=actor, action="services.offering_created", obj=offering, community_id=offering.community_id
    )
    return offering


@transaction.atomic
def do_add_slot(
    *, actor: Actor, offering: ServiceOffering, weekday: int, start_time: time, capacity: int
) -> ServiceSlot:
    """A weekly time of the offering. Refused: slot_exists."""
    require(actor, Action.SERVICES_MANAGE, offering.community_id)
    try:
        with transaction.atomic():
            slot = ServiceSlot.objects.create(
                offering=offering, weekday=weekday, start_time=start_time, capacity=capacity
            )
    except IntegrityError:
        raise Conflict("slot_exists", _("该时段已存在")) from None
    audit.record(
        actor=actor,
        action="services.slot_added",
        obj=offering,
        community_id=offering.community_id,
        after={"weekday": weekday, "start_time": str(start_time), "capacity": capacity},
    )
    return slot


# --- editing and retiring ------------------------------------------------------------------------

OFFERING_FIELDS = ("category", "title", "description", "price_fen", "duration_minutes")


def _offering_snapshot(offering: ServiceOffering) -> dict:
    return {f: getattr(offering, f) for f in (*OFFERING_FIELDS, "active")}


@transaction.atomic
def do_update_offering(*, actor: Actor, offering: ServiceOffering, **changes) -> ServiceOffering:
    """`changes`: any of category, title, description, price_fen (None: quoted on site),
    duration_minutes. Bookings already made keep their price and times."""
    require(actor, Action.SERVICES_MANAGE, offering.community_id)
    unknown = set(changes) - set(OFFERING_FIELDS)
    if unknown:
        raise ServiceError("bad_field", _("不能修改该字段"), fields={f: _("不可修改") for f in unknown})
    for name in ("title", "description"):
        if name in changes:
            changes[name] = changes[name].strip()
    if "title" in changes and not changes["title"]:
        raise ServiceError("title_required", _("请填写服务名称"), fields={"title": _("必填")})
    before = _offering_snapshot(offering)
    ServiceOffering.objects.filter(pk=offering.pk).update(**changes, updated_at=timezone.now())
    offering.refresh_from_db()
    audit.record_change(
        actor=actor,
        obj=offering,
        community_id=offering.community_id,
        before=before,
        snapshot=_offering_snapshot,
        action="services.offering_updated",
    )
    return offering


@transaction.atomic
def do_retire_offering(*, actor: Actor, offering: ServiceOffering) -> ServiceOffering:
    """下架: no longer listed to residents nor bookable (`offering_retired`); its bookings stay
    valid, to be confirmed, completed or cancelled. Refused: already_retired."""
    return switch_active(
        ServiceOffering,
        offering,
        active=False,
        action="services.offering_retired",
        actor=actor,
        community_id=offering.community_id,
    )


@transaction.atomic
def do_reopen_offering(*, actor: Actor, offering: ServiceOffering) -> ServiceOffering:
    """重新上架. Refused: not_retired."""
    return switch_active(
        ServiceOffering,
        offering,
        active=True,
        action="services.offering_reopened",
        actor=actor,
        community_id=offering.community_id,
    )


def _slot_snapshot(slot: ServiceSlot) -> dict:
    return {
        "weekday": slot.weekday,
        "start_time": str(slot.start_time),
        "capacity": slot.capacity,
        "active": slot.active,
    }


def _to_come(slot: ServiceSlot):
    return SlotDay.objects.filter(slot=slot, date__gte=timezone.localdate())


@transaction.atomic
def do_update_slot(
    *,
    actor: Actor,
    slot: ServiceSlot,
    weekday: int | None = None,
    start_time: time | None = None,
    capacity: int | None = None,
) -> ServiceSlot:
    """A new capacity applies to the slot and to its days from today on, refused where a day
    has more places taken (`slot_capacity_below_booked`); a new weekday or time only while no
    live booking of the slot is still to come (`slot_has_bookings`), since a booked household
    would not be told. Refused too: slot_exists (the offering has that time already)."""
    offering = slot.offering
    require(actor, Action.SERVICES_MANAGE, offering.community_id)
    # The lock a booking of this slot takes too (services/bookings.py), so that no booking
    # creates a day with the old capacity while this one moves the days.
    slot = ServiceSlot.objects.select_for_update(no_key=True).get(pk=slot.pk)
    before = _slot_snapshot(slot)
    moves = (weekday is not None and weekday != slot.weekday) or (
        start_time is not None and start_time != slot.start_time
    )
    if (
        moves
        and ServiceBooking.objects.filter(
            slot_day__slot=slot,
            status__in=(BookingStatus.REQUESTED, BookingStatus.CONFIRMED),
            starts_at__gt=timezone.now(),
        ).exists()
    ):
        raise Conflict("slot_has_bookings", _("该时段还有未完成的预约，不能修改时间；可先停用再新增时段"))
    if capacity is not None and capacity != slot.capacity:
        days = _to_come(slot)
        most = max(days.values_list("taken", flat=True), default=0)
        if capacity < most:
            raise ServiceError(
                "slot_capacity_below_booked",
                _("名额不能少于已预约的人数（%(n)s）") % {"n": most},
                fields={"capacity": _("至少 %(n)s") % {"n": most}},
                status=409,
            )
        days.update(capacity=capacity)
    fields = {
        k: v
        for k, v in (("weekday", weekday), ("start_time", start_time), ("capacity", capacity))
        if v is not None
    }
    try:
        with transaction.atomic():
            ServiceSlot.objects.filter(pk=slot.pk).update(**fields, updated_at=timezone.now())
    except IntegrityError:
        raise Conflict("slot_exists", _("该时段已存在")) from None
    slot.refresh_from_db()
    audit.record_change(
        actor=actor,
        obj=slot,
        community_id=offering.community_id,
        before=before,
        snapshot=_slot_snapshot,
        action="services.slot_updated",
    )
    return slot


@transaction.atomic
def do_retire_slot(*, actor: Actor, slot: ServiceSlot) -> ServiceSlot:
    """No new bookings of the slot (`slot_retired`); those made stay. Refused: already_retired."""
    return switch_active(
        ServiceSlot,
        slot,
        active=False,
        action="services.slot_retired",
        actor=actor,
        community_id=slot.offering.community_id,
    )


@transaction.atomic
def do_reopen_slot(*, actor: Actor, slot: ServiceSlot) -> ServiceSlot:
    """Refused: not_retired."""
    return switch_active(
        ServiceSlot,
        slot,
        active=True,
        action="services.slot_reopened",
        actor=actor,
        community_id=slot.offering.community_id,
    )
