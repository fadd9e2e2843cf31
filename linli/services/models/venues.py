"""Venues booked by the hour (activity room, court, meeting room), with the community's rules,
and their bookings. Overlap is checked with the venue's row locked (select_for_update) inside
the booking's transaction: two bookings of one time cannot both pass the check."""

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths
from linli.services.choices import DepositStatus, VenueBookingStatus, VenueKind

__all__ = ["Venue", "VenueBooking"]


class Venue(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("场地名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=20, choices=VenueKind.choices)
    opens_at = models.TimeField(_("开放时间"), default=time(8))
    closes_at = models.TimeField(_("关闭时间"), default=time(21))
    slot_minutes = models.PositiveSmallIntegerField(_("时段长度(分钟)"), default=60)
    max_per_week = models.PositiveSmallIntegerField(_("每户每周最多预订次数"), default=2)
    owners_only = models.BooleanField(_("仅限业主"), default=False)
    deposit_fen = models.PositiveIntegerField(_("押金(分)"), default=0)
    rules = models.CharField(_("使用须知"), max_length=500, blank=True)
    active = models.BooleanField(_("开放预订"), default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("场地")
        ordering = ["kind", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="services_venue_hours"),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=15, slot_minutes__lte=240), name="services_venue_slot_range"
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def resident_scope_q(cls, scope):
        return Q(community_id__in=scope.resident_community_ids)


class VenueBooking(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="bookings")
    house = models.ForeignKey("registry.House", on_delete=models.CASCADE, related_name="+")
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    purpose = models.CharField(_("用途"), max_length=100, blank=True)
    status = models.CharField(
        max_length=20, choices=VenueBookingStatus.choices, default=VenueBookingStatus.BOOKED
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    deposit_fen = models.PositiveIntegerField(default=0)
    deposit_status = models.CharField(
        max_length=20, choices=DepositStatus.choices, default=DepositStatus.NONE
    )
    deposit_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="house__building", resident="house")

    class Meta:
        verbose_name = _("场地预订")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["venue", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="services_venue_booking_dates"
            )
        ]
