"""Choices of notices (ENG-1) and deliberation (ENG-2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SCHEDULED = "scheduled", _("定时发布")
    PUBLISHED = "published", _("已发布")


class Audience(models.TextChoices):
    """Who in the targeted area is told: everyone living there, owners or tenants only, or the
    households of a care group (consented care tags of one kind)."""

    RESIDENTS = "residents", _("全体住户(含租客)")
    OWNERS = "owners", _("仅业主")
    TENANTS = "tenants", _("仅租客")
    CARE = "care", _("关爱对象")


class ToldHow(models.TextChoices):
    PHONE = "phone", _("电话告知")
    VISIT = "visit", _("上门告知")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("讨论中")
    AGENDA = "agenda", _("已列入议程")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已关闭")
    HIDDEN = "hidden", _("已隐藏")


class Answerer(models.TextChoices):
    """Who an official reply speaks for, from the staff member's role."""

    PROPERTY = "property", _("物业公司")
    COMMITTEE = "committee", _("业主委员会")
    OFFICE = "office", _("社区居委会")
