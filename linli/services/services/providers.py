"""Providers and the catalogue (SVC-1): staff holding services.manage register an organisation
of the registry as a provider, record its licence (vetting), link the provider's logins, and set
up its offerings and their weekly slots. A provider without a licence on record, or whose
licence has expired, takes no bookings (`provider_not_vetted`, checked at booking time)."""

from datetime import date, time

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, ServiceError
from linli.core.permissions import require
from linli.core.roles import Action
from linli.registry.models import Organization
from linli.services.models import Provider, ProviderStaff, ServiceOffering, ServiceSlot


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
