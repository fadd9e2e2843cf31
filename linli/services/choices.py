"""The fixed vocabularies of life services, venues and recommendations."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    HOME_CLEANING = "home_cleaning", _("家政保洁")
    APPLIANCE_REPAIR = "appliance_repair", _("家电维修")
    ELDERLY_CARE_VISIT = "elderly_care_visit", _("上门助老")
    ELDERLY_MEALS = "elderly_meals", _("老年助餐")
    CHILDCARE = "childcare", _("托育服务")
    CLASS = "class", _("课程培训")


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class VenueKind(models.TextChoices):
    ACTIVITY_ROOM = "activity_room", _("活动室")
    COURT = "court", _("球场")
    MEETING_ROOM = "meeting_room", _("会议室")


class VenueBookingStatus(models.TextChoices):
    BOOKED = "booked", _("已预订")
    CANCELLED = "cancelled", _("已取消")


class DepositStatus(models.TextChoices):
    NONE = "none", _("无押金")
    DUE = "due", _("待收")
    HELD = "held", _("已收")
    RETURNED = "returned", _("已退还")


class Condition(models.TextChoices):
    """What a recommendation rule looks for in a household's make-up (people living in the
    house today, from their birth dates in the registry). Care tags are never a condition."""

    CHILD_UNDER_6 = "child_under_6", _("家中有6岁以下儿童")
    ELDERLY_ALONE = "elderly_alone", _("70岁以上老人独居")
    ELDERLY_IN_HOUSEHOLD = "elderly_in_household", _("家中有70岁以上老人")
