"""Choices of surveys, activities, the yellow pages and mutual help."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    RATING = "rating", _("评分")
    TEXT = "text", _("填空")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class Audience(models.TextChoices):
    RESIDENTS = "residents", _("全体住户")
    OWNERS = "owners", _("仅业主")


class SurveyKind(models.TextChoices):
    GENERAL = "general", _("普通问卷")
    SATISFACTION = "satisfaction", _("物业满意度")


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已报名")
    WAITING = "waiting", _("候补")
    CANCELLED = "cancelled", _("已取消")


class ActivityStatus(models.TextChoices):
    OPEN = "open", _("报名中")
    CANCELLED = "cancelled", _("已取消")


class HelpKind(models.TextChoices):
    OFFER = "offer", _("我能帮")
    ASK = "ask", _("求帮忙")


class HelpStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")
    HIDDEN = "hidden", _("已隐藏")


class DirectoryCategory(models.TextChoices):
    PROPERTY = "property", _("物业服务")
    GOVERNMENT = "government", _("政务")
    MEDICAL = "medical", _("医疗")
    EMERGENCY = "emergency", _("紧急求助")
    REPAIR = "repair", _("维修")
    SHOPPING = "shopping", _("生活购物")
    OTHER = "other", _("其他")
