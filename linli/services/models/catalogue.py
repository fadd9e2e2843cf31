"""Providers (vetted organisations), their staff, the catalogue of offerings with weekly slots,
and the bookings of a slot.

A slot is a weekly time (weekday, start) with a capacity; one occurrence of it on a date is a
`SlotDay`, whose `taken` moves only by conditional updates (`taken < capacity`), so concurrent
bookings of the last place can never overbook, on SQLite as on PostgreSQL.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths
from linli.services.choices import BookingStatus, Category

__all__ = ["Provider", "ProviderStaff", "ServiceBooking", "ServiceOffering", "ServiceSlot", "SlotDay"]


class Provider(Timestamped):
    """An organisation of the registry vetted as a service provider, its licence on record."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    organization = models.OneToOneField(
        "registry.Organization", on_delete=models.CASCADE, related_name="service_provider"
    )
    licence_number = models.CharField(_("许可证号"), max_length=50, blank=True)
    licence_kind = models.CharField(_("许可证类型"), max_length=50, blank=True)
    licence_valid_until = models.DateField(_("许可证有效期至"), null=True, blank=True)
    vetted_at = models.DateTimeField(null=True, blank=True)
    vetted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("服务商")
        ordering = ["id"]

    def __str__(self):
        return self.organization.name

    def is_vetted(self, on: date | None = None) -> bool:
        """Vetted, with a licence on record that has not expired: only then it takes bookings."""
        on = on or timezone.localdate()
        return bool(
            self.vetted_at
            and self.licence_number
            and self.licence_valid_until
            and self.licence_valid_until >= on
        )

    @classmethod
    def resident_scope_q(cls, scope):
        return Q(community_id__in=scope.resident_community_ids)


class ProviderStaff(Timestamped):
    """A login of the provider's: it sees and acts on its own provider's bookings only."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "user"], name="services_provider_staff_once")
        ]


class ServiceOffering(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="offerings")
    category = models.CharField(_("类别"), max_length=30, choices=Category.choices)
    title = models.CharField(_("服务名称"), max_length=60)
    description = models.TextField(_("服务介绍"), max_length=1000, blank=True)
    # None: quoted on site (上门报价); the provider records the fee at completion either way.
    price_fen = models.PositiveIntegerField(_("价格(分)"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("时长(分钟)"), default=60)
    active = models.BooleanField(_("上架"), default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("服务项目")
        ordering = ["category", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=720),
                name="services_duration_range",
            )
        ]

    def __str__(self):
        return self.title

    @classmethod
    def resident_scope_q(cls, scope):
        return Q(community_id__in=scope.resident_community_ids)


class ServiceSlot(Timestamped):
    """A recurring weekly time of an offering (Monday = 0), with a capacity per occurrence.
    Editing its capacity carries the new capacity to the days not yet past (never below the
    places they have taken)."""

    offering = models.ForeignKey(ServiceOffering, on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(_("星期"))
    start_time = models.TimeField(_("开始时间"))
    capacity = models.PositiveSmallIntegerField(_("名额"), default=1)
    # Retired: takes no new bookings; the bookings it has stay valid.
    active = models.BooleanField(_("开放预约"), default=True)

    class Meta:
        ordering = ["weekday", "start_time", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="services_slot_weekday"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="services_slot_capacity"),
            models.UniqueConstraint(
                fields=["offering", "weekday", "start_time"], name="services_slot_unique"
            ),
        ]


class SlotDay(models.Model):
    """One occurrence of a slot: the places taken on that date (the capacity is copied when the
    first booking creates the row; an edit of the slot's capacity moves the days from today on
    with it, refused where a day has more places taken than the new capacity)."""

    slot = models.ForeignKey(ServiceSlot, on_delete=models.CASCADE, related_name="days")
    date = models.DateField()
    capacity = models.PositiveSmallIntegerField()
    taken = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["slot", "date"], name="services_slot_day_unique"),
            models.CheckConstraint(condition=Q(taken__lte=F("capacity")), name="services_no_overbooking"),
        ]


class ServiceBooking(Timestamped):
    # Cascades: a house (and an offering) goes only with its community, and its bookings with
    # it; a person's erasure ends occupancies and keeps the house, so the history stays.
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    offering = models.ForeignKey(ServiceOffering, on_delete=models.CASCADE, related_name="bookings")
    slot_day = models.ForeignKey(SlotDay, on_delete=models.CASCADE, related_name="bookings")
    house = models.ForeignKey("registry.House", on_delete=models.CASCADE, related_name="+")
    # Whom the service is for (the resident, or the elderly resident staff booked for).
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person_name = models.CharField(max_length=60)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    on_behalf = models.BooleanField(default=False)  # 代办: booked by staff for the resident
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(_("备注"), max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=BookingStatus.choices, default=BookingStatus.REQUESTED)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Payment on site, recorded by the provider at completion (billing's in-app bill comes later).
    fee_fen = models.PositiveIntegerField(null=True, blank=True)
    paid_on_site = models.BooleanField(default=False)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.CharField(max_length=300, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="house__building", resident="house")

    class Meta:
        verbose_name = _("服务预约")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["community", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="services_rating_range",
            )
        ]
