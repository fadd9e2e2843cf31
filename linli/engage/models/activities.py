"""Activities and neighbours (ENG-5): activities with sign-up, capacity, a waiting list and QR
check-in; the yellow pages (社区黄页); mutual help posts (邻里互助) with replies and reports.

An activity's `seats_taken` is the sum of its confirmed registrations' party sizes; it only
moves by conditional updates (`seats_taken + n <= capacity`), so concurrent sign-ups can never
overbook, on SQLite as on PostgreSQL.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths
from linli.engage.choices_surveys import (
    ActivityStatus,
    DirectoryCategory,
    HelpKind,
    HelpStatus,
    RegistrationStatus,
)

__all__ = ["Activity", "DirectoryEntry", "HelpPost", "HelpReply", "HelpReport", "Registration"]


class Activity(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("活动名称"), max_length=80)
    description = models.TextField(_("活动介绍"), max_length=2000, blank=True)
    place = models.CharField(_("地点"), max_length=80)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("名额"))
    max_party = models.PositiveSmallIntegerField(_("每户最多人数"), default=4)
    seats_taken = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=ActivityStatus.choices, default=ActivityStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Cancelled by staff: why (told to everyone signed up and shown on the resident's pages).
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("社区活动")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(seats_taken__lte=F("capacity")), name="engage_no_overbooking"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="engage_activity_dates"),
        ]

    @classmethod
    def resident_scope_q(cls, scope):
        return Q(community_id__in=scope.resident_community_ids)

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.seats_taken)


class Registration(Timestamped):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="registrations")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    house = models.ForeignKey(
        "registry.House", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("报名人"), max_length=60)
    party_size = models.PositiveSmallIntegerField(_("人数"), default=1)  # the resident and family
    status = models.CharField(max_length=20, choices=RegistrationStatus.choices)
    # The waiting list's order: when the registration joined it (promotion is first come first served).
    queued_at = models.DateTimeField()
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="house__building", resident="house")

    class Meta:
        verbose_name = _("活动报名")
        ordering = ["queued_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"],
                condition=Q(status__in=["confirmed", "waiting"]),
                name="engage_one_live_registration",
            )
        ]


class DirectoryEntry(Timestamped):
    """One line of the community's yellow pages: public numbers, never a person's."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("名称"), max_length=60)
    category = models.CharField(_("类别"), max_length=20, choices=DirectoryCategory.choices)
    phone = models.CharField(_("电话"), max_length=30)
    address = models.CharField(_("地址"), max_length=100, blank=True)
    hours = models.CharField(_("营业时间"), max_length=60, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("社区黄页")
        ordering = ["category", "order", "id"]

    @classmethod
    def resident_scope_q(cls, scope):
        return Q(community_id__in=scope.resident_community_ids)


class HelpPost(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    author_name = models.CharField(max_length=60)  # shown masked (王**)
    kind = models.CharField(_("类型"), max_length=10, choices=HelpKind.choices)
    title = models.CharField(_("标题"), max_length=60)
    body = models.TextField(_("内容"), max_length=1000)
    status = models.CharField(max_length=10, choices=HelpStatus.choices, default=HelpStatus.OPEN)
    reports = models.PositiveIntegerField(default=0)
    hidden_reason = models.CharField(_("隐藏原因"), max_length=200, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("邻里互助")
        ordering = ["-created_at", "-id"]

    @classmethod
    def resident_scope_q(cls, scope):
        return Q(community_id__in=scope.resident_community_ids) & ~Q(status=HelpStatus.HIDDEN)


class HelpReply(Timestamped):
    post = models.ForeignKey(HelpPost, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    author_name = models.CharField(max_length=60)
    body = models.CharField(_("回复"), max_length=300)
    offers_help = models.BooleanField(_("我来帮忙"), default=False)

    class Meta:
        ordering = ["id"]


class HelpReport(Timestamped):
    post = models.ForeignKey(HelpPost, on_delete=models.CASCADE, related_name="+")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("举报原因"), max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "reporter"], name="engage_report_once")]
