"""Shared parking (PARK-2) and passes (PARK-1).

A `SharedOffer` is one party's offer of some parking spaces for recurring windows at a price: the
party is an organisation (an office block sharing its garage at night) or a person who holds the
spaces (an owner or renter per the registry). A `SharedBooking` takes one space of an offer for
`[start_at, end_at)`, inside one occurrence of the offer's windows.

Records that refer to another community's row (an offer's party, a booking's space) RESTRICT
its deletion, so a party with offers is not deleted by accident, while deleting the whole
community (which cascades to both) still works.

No space is booked twice for overlapping time: a booking is written only inside the transaction
that locked the space's row and found no holding booking overlapping (services/booking.py); the
index on (space, start_at, end_at) is what that check and the free-space search read.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from linli.core.crypto import EncryptedTextField
from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths
from linli.parking.choices import BookingStatus, OfferStatus, PassPeriod, PassStatus
from linli.parking.windows import Window, weekdays_from_mask

__all__ = ["OfferSpace", "OfferWindow", "ParkingPass", "SharedBooking", "SharedOffer"]


class SharedOffer(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("名称"), max_length=60)
    organization = models.ForeignKey(
        "registry.Organization", null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    price_fen = models.PositiveIntegerField(_("每小时价格（分）"))  # per started hour
    overstay_fen = models.PositiveIntegerField(_("超时每小时（分）"))  # per started hour past the end
    overstay_grace_minutes = models.PositiveSmallIntegerField(_("超时宽限（分钟）"), default=15)
    cancel_free_hours = models.PositiveSmallIntegerField(_("免费取消（开始前小时）"), default=2)
    cancel_fee_percent = models.PositiveSmallIntegerField(_("逾期取消扣费比例（%）"), default=50)
    # Open to drivers who do not live here (office workers nearby): they book signed in with
    # their phone and pay online at once (services/booking.py).
    open_to_public = models.BooleanField(_("对外开放"), default=False)
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OfferStatus.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("共享车位")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organization__isnull=True, person__isnull=False)
                | Q(organization__isnull=False, person__isnull=True),
                name="parking_offer_one_party",
            ),
            models.CheckConstraint(
                condition=Q(cancel_fee_percent__lte=100), name="parking_cancel_fee_percent"
            ),
        ]

    @classmethod
    def resident_scope_q(cls, scope):
        """Residents see the active offers of their communities (to book them)."""
        return Q(community_id__in=scope.resident_community_ids, status=OfferStatus.ACTIVE)

    def windows_list(self) -> list[Window]:
        return [w.as_window() for w in self.windows.all()]


class OfferWindow(models.Model):
    offer = models.ForeignKey(SharedOffer, on_delete=models.CASCADE, related_name="windows")
    weekdays = models.PositiveSmallIntegerField(_("星期"))  # bits: 1 = Monday … 64 = Sunday
    start = models.TimeField(_("开始时间"))
    end = models.TimeField(_("结束时间"))  # end <= start: into the next day

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekdays__gte=1, weekdays__lte=127), name="parking_window_days"
            )
        ]

    def as_window(self) -> Window:
        return Window(weekdays_from_mask(self.weekdays), self.start, self.end)


class OfferSpace(models.Model):
    """A space in an offer. A space is in at most one active offer at a time."""

    offer = models.ForeignKey(SharedOffer, on_delete=models.CASCADE, related_name="spaces")
    space = models.ForeignKey("registry.ParkingSpace", on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["space"], condition=Q(active=True), name="parking_space_one_offer"
            )
        ]
        indexes = [models.Index(fields=["offer", "active"])]


class SharedBooking(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    offer = models.ForeignKey(SharedOffer, on_delete=models.RESTRICT, related_name="bookings")
    space = models.ForeignKey("registry.ParkingSpace", on_delete=models.RESTRICT, related_name="+")
    start_at = models.DateTimeField(_("开始时间"))
    end_at = models.DateTimeField(_("结束时间"))
    plate = EncryptedTextField(_("车牌号"))
    plate_bidx = models.CharField(max_length=32)
    # The account may go (erasure); the booking stays, as the offer's income.
    booker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The resident's home its fee and overstay are billed to; none for an outside driver.
    house = models.ForeignKey(
        "registry.House", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A driver from outside must pay online by then, or the booking lapses and frees its space.
    pay_by = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    fee_fen = models.PositiveIntegerField(default=0)
    cancel_fee_fen = models.PositiveIntegerField(default=0)  # kept on a late cancellation
    refund_fen = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    entered_at = models.DateTimeField(null=True, blank=True)
    exited_at = models.DateTimeField(null=True, blank=True)
    overstay_fen = models.PositiveIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("共享车位预约")
        ordering = ["-start_at", "-id"]
        indexes = [
            models.Index(fields=["space", "start_at", "end_at"]),
            models.Index(fields=["community", "plate_bidx", "status"]),
            models.Index(fields=["offer", "start_at"]),
            models.Index(fields=["booker", "start_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end_at__gt=F("start_at")), name="parking_booking_dates"),
        ]


class ParkingPass(Timestamped):
    """A monthly or yearly pass (月卡/年卡) for a space or a plate of a house (PARK-1)."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    house = models.ForeignKey("registry.House", on_delete=models.RESTRICT, related_name="+")
    person = models.ForeignKey("registry.Person", on_delete=models.RESTRICT, related_name="+")
    space = models.ForeignKey(
        "registry.ParkingSpace", null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    plate = EncryptedTextField(_("车牌号"))
    plate_bidx = models.CharField(max_length=32)
    period = models.CharField(_("类型"), max_length=10, choices=PassPeriod.choices)
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("截止日期"))  # inclusive
    fee_fen = models.PositiveIntegerField(_("费用（分）"))
    status = models.CharField(max_length=10, choices=PassStatus.choices, default=PassStatus.UNPAID)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="house__building", resident="house")

    class Meta:
        verbose_name = _("停车月卡")
        ordering = ["-valid_to", "-id"]
        indexes = [models.Index(fields=["community", "plate_bidx", "status", "valid_to"])]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=F("valid_from")), name="parking_pass_dates"),
        ]
