"""Statuses of the parking app's records."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OfferStatus(models.TextChoices):
    ACTIVE = "active", _("开放中")
    WITHDRAWN = "withdrawn", _("已撤回")


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CANCELLED = "cancelled", _("已取消")
    COMPLETED = "completed", _("已完成")


class PassPeriod(models.TextChoices):
    MONTHLY = "monthly", _("月卡")
    YEARLY = "yearly", _("年卡")


class PassStatus(models.TextChoices):
    UNPAID = "unpaid", _("待缴费")
    ACTIVE = "active", _("有效")
    CANCELLED = "cancelled", _("已作废")


# Bookings that hold their space: a cancelled one gives it back; a completed one keeps its time
# (the car may have overstayed into it, and the record is the income).
HOLDING = (BookingStatus.BOOKED, BookingStatus.COMPLETED)
