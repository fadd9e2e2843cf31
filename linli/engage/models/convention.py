"""The community convention (社区公约, ENG-6): versioned text, violations recorded against a
household with evidence, the household's appeal and its decision.

A violation's points are deducted only once nobody can appeal any more: its appeal window passed
with no appeal, or the appeal was decided against the household (`ViolationStatus`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths
from linli.engage.choices_points import AppealDecision, ViolationStatus
from linli.engage.models.points import CommunityWide


class ConventionVersion(CommunityWide, models.Model):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=60)
    body = models.TextField(_("正文"), max_length=20000)
    changes = models.CharField(_("修订说明"), max_length=300, blank=True)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("社区公约")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="eng_convention_number_unique")
        ]


class Violation(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    house = models.ForeignKey("registry.House", on_delete=models.RESTRICT, related_name="+")
    version = models.ForeignKey(ConventionVersion, on_delete=models.RESTRICT, related_name="+")
    article = models.CharField(_("条款"), max_length=20)
    note = models.CharField(_("情况说明"), max_length=500)
    photo = models.CharField(max_length=200, blank=True)  # under the attachments' media root
    points = models.PositiveIntegerField(_("扣除积分"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=ViolationStatus.choices, default=ViolationStatus.RECORDED
    )
    appeal_deadline = models.DateTimeField(_("申诉截止"))
    appeal_reason = models.CharField(_("申诉理由"), max_length=500, blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    appealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(_("申诉结果"), max_length=12, choices=AppealDecision.choices, blank=True)
    decision_note = models.CharField(_("处理意见"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    deducted = models.PositiveIntegerField(_("实扣积分"), default=0)  # capped at the balance
    deducted_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="house__building", resident="house")

    class Meta:
        verbose_name = _("违约记录")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "appeal_deadline"], name="eng_violation_due")]


__all__ = ["ConventionVersion", "Violation"]
