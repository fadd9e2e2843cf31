"""The choices of points and the convention (ENG-6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    VOLUNTEER = "volunteer", _("志愿服务(每小时)")
    GARBAGE = "garbage", _("垃圾分类打卡")
    ACTIVITY = "activity", _("参加活动")
    OTHER = "other", _("其他")


class EntryKind(models.TextChoices):
    EARN = "earn", _("获得")
    REDEEM = "redeem", _("兑换")
    REFUND = "refund", _("退还")
    DEDUCT = "deduct", _("违约扣分")
    EXPIRE = "expire", _("过期")
    ADJUST = "adjust", _("更正")


class ExpiryPolicy(models.TextChoices):
    NEVER = "never", _("永不过期")
    NEXT_YEAR_END = "next_year_end", _("次年年底过期")


class VolunteerStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("未通过")


class RedemptionStatus(models.TextChoices):
    REQUESTED = "requested", _("待领取")
    FULFILLED = "fulfilled", _("已领取")
    CANCELLED = "cancelled", _("已取消")


class ViolationStatus(models.TextChoices):
    RECORDED = "recorded", _("申诉期内")
    APPEALED = "appealed", _("申诉中")
    UPHELD = "upheld", _("申诉未通过")
    OVERTURNED = "overturned", _("已撤销")
    DEDUCTED = "deducted", _("已扣分")


class AppealDecision(models.TextChoices):
    UPHELD = "upheld", _("维持原处理")
    OVERTURNED = "overturned", _("撤销违约记录")
