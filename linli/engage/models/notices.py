"""Notices (ENG-1): what the property office or the community tells residents, to whom, and who
has read or confirmed it.

A notice reaches an area (the community, a building or a unit) and an audience in it (everyone,
owners, tenants, a care group). When it is published, the households it reaches are fixed as
`NoticeHousehold` rows (one per house, whether anyone there has an account or not) and the
accounts living there as `NoticeRecipient` rows: later moves do not change who was told. The
front desk sees the households that have not read (or confirmed) it and records how each was told
in person, so that nobody is missed for lack of a smartphone.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths
from linli.engage.choices_notices import Audience, NoticeStatus, ToldHow
from linli.registry.choices import CareKind


class Notice(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("标题"), max_length=60)
    body = models.TextField(_("内容"), max_length=4000)
    # The area: the whole community (both empty), a building, or a unit of it.
    building = models.ForeignKey(
        "registry.Building", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        "registry.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    audience = models.CharField(
        _("对象"), max_length=20, choices=Audience.choices, default=Audience.RESIDENTS
    )
    care_kind = models.CharField(_("关爱类型"), max_length=30, choices=CareKind.choices, blank=True)
    must_confirm = models.BooleanField(_("需确认"), default=False)
    urgent = models.BooleanField(_("紧急(短信)"), default=False)
    speakers = models.BooleanField(_("广播到音柱"), default=False)
    pinned = models.BooleanField(_("置顶"), default=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT
    )
    publish_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    households = models.PositiveIntegerField(default=0)  # reached, fixed at publication
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("通知公告")
        indexes = [models.Index(fields=["status", "publish_at"])]

    def __str__(self):
        return self.title

    @staticmethod
    def building_scope_q(buildings) -> Q:
        """Staff of some buildings see the notices of the whole community and of their buildings
        (their households' rows are narrowed again by NoticeHousehold)."""
        return Q(building__isnull=True) | Q(building__in=buildings)


class NoticeAttachment(Timestamped):
    """A file of a notice (a PDF, or a photo re-encoded), served to its readers only."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("文件名"), max_length=100)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    path = models.CharField(max_length=200)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        ordering = ["id"]

    @staticmethod
    def building_scope_q(buildings) -> Q:
        return Q(notice__building__isnull=True) | Q(notice__building__in=buildings)


class NoticeHousehold(models.Model):
    """A household the notice reached: the read receipt, the confirmation, and how it was told
    in person when nobody read it."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    building = models.ForeignKey("registry.Building", on_delete=models.CASCADE, related_name="+")
    house = models.ForeignKey("registry.House", on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(null=True, blank=True)  # first opened by someone living there
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    told_at = models.DateTimeField(null=True, blank=True)
    told_how = models.CharField(max_length=10, choices=ToldHow.choices, blank=True)
    told_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    told_note = models.CharField(max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="building", resident="house")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "house"], name="engage_notice_house_once")]
        indexes = [models.Index(fields=["notice", "building"])]


class NoticeRecipient(models.Model):
    """An account the notice was delivered to, with when that person opened it."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(NoticeHousehold, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "notice"], name="engage_notice_user_once")]
