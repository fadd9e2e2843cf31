"""Points (ENG-6): one append-only ledger per community, its earning rules, the redemption
catalogue and the redemptions.

The account is the household (a house), as Chinese communities keep 积分 per 户: what one member
earns, the household spends. A resident who earns alone is credited to the house they live in.
An account's balance row is the ledger's running sum, changed only by conditional updates in the
same transaction as the entry that explains it, and never below zero (a check constraint backs
the condition). Entries are never changed or deleted: a correction is a new entry.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths
from linli.engage.choices_points import (
    EntryKind,
    ExpiryPolicy,
    RedemptionStatus,
    RuleKind,
    VolunteerStatus,
)


class CommunityWide:
    """A community's list that its residents read too (rules, catalogue, convention)."""

    @staticmethod
    def resident_scope_q(scope) -> Q:
        return Q(community_id__in=scope.resident_community_ids)


class PointsPolicy(models.Model):
    community = models.OneToOneField("core.Community", on_delete=models.CASCADE, related_name="+")
    expiry = models.CharField(
        _("过期规则"), max_length=20, choices=ExpiryPolicy.choices, default=ExpiryPolicy.NEXT_YEAR_END
    )
    appeal_days = models.PositiveSmallIntegerField(_("申诉期(天)"), default=7)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("积分设置")


class EarningRule(CommunityWide, Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("规则代码"), max_length=30)
    kind = models.CharField(_("类型"), max_length=20, choices=RuleKind.choices)
    name = models.CharField(_("规则名称"), max_length=40)
    points = models.PositiveIntegerField(_("积分"))  # per hour for volunteering, else per time
    daily_limit = models.PositiveSmallIntegerField(_("每户每日上限(次)"), default=0)  # 0: none
    active = models.BooleanField(_("启用"), default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("积分规则")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["community", "code"], name="eng_rule_code_unique")]


class PointsAccount(models.Model):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    house = models.OneToOneField("registry.House", on_delete=models.RESTRICT, related_name="+")
    balance = models.IntegerField(_("积分余额"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="house__building", resident="house")

    class Meta:
        verbose_name = _("积分账户")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="eng_balance_not_negative")]


class AppendOnlyQuerySet(RestrictedQuerySet):
    def update(self, **kwargs):
        raise TypeError("points entries are append-only: write a correcting entry")

    def delete(self):
        raise TypeError("points entries are append-only: write a correcting entry")


class PointsEntry(models.Model):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(PointsAccount, on_delete=models.CASCADE, related_name="entries")
    house = models.ForeignKey("registry.House", on_delete=models.RESTRICT, related_name="+")
    kind = models.CharField(_("类型"), max_length=10, choices=EntryKind.choices)
    amount = models.IntegerField(_("积分"))
    balance_after = models.IntegerField(_("余额"))
    reason = models.CharField(_("原因代码"), max_length=30)  # a rule's code, or the kind
    text = models.CharField(_("说明"), max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    on_behalf = models.BooleanField(_("代办"), default=False)
    # What caused it ("volunteer:12", "redemption:5", ...): one entry per source in a community.
    source_ref = models.CharField(max_length=80, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)  # credits only
    created_at = models.DateTimeField(default=timezone.now)  # the service's clock (jobs pass theirs)

    objects = AppendOnlyQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="house__building", resident="house")

    class Meta:
        verbose_name = _("积分明细")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "source_ref"], condition=~Q(source_ref=""), name="eng_entry_source_once"
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="eng_entry_not_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="eng_entry_balance_not_negative"),
        ]
        indexes = [models.Index(fields=["account", "expires_at"], name="eng_entry_expiry")]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("points entries are append-only: write a correcting entry")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("points entries are append-only: write a correcting entry")


class CatalogueItem(CommunityWide, Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("名称"), max_length=40)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    price = models.PositiveIntegerField(_("所需积分"))
    stock = models.IntegerField(_("库存"), default=0)
    active = models.BooleanField(_("上架"), default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("兑换商品")
        ordering = ["price", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="eng_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gte=1), name="eng_price_positive"),
        ]


class Redemption(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(PointsAccount, on_delete=models.CASCADE, related_name="+")
    house = models.ForeignKey("registry.House", on_delete=models.RESTRICT, related_name="+")
    item = models.ForeignKey(CatalogueItem, on_delete=models.RESTRICT, related_name="+")
    points = models.PositiveIntegerField(_("积分"))
    status = models.CharField(
        _("状态"), max_length=10, choices=RedemptionStatus.choices, default=RedemptionStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    on_behalf = models.BooleanField(_("代办"), default=False)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="house__building", resident="house")

    class Meta:
        verbose_name = _("积分兑换")
        ordering = ["-id"]
        indexes = [models.Index(fields=["community", "status"], name="eng_redemption_status")]


class VolunteerLog(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    house = models.ForeignKey("registry.House", on_delete=models.RESTRICT, related_name="+")
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    day = models.DateField(_("服务日期"))
    hours = models.DecimalField(_("时长(小时)"), max_digits=4, decimal_places=1)
    description = models.CharField(_("服务内容"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=VolunteerStatus.choices, default=VolunteerStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    points = models.PositiveIntegerField(_("积分"), default=0)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="house__building", resident="house")

    class Meta:
        verbose_name = _("志愿服务时长")
        ordering = ["-id"]
        indexes = [models.Index(fields=["community", "status"], name="eng_volunteer_status")]


__all__ = [
    "CatalogueItem",
    "EarningRule",
    "PointsAccount",
    "PointsEntry",
    "PointsPolicy",
    "Redemption",
    "VolunteerLog",
]
