from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.restrict import RestrictedQuerySet, ScopePaths


class Level(models.TextChoices):
    """How finely a shared dataset is cut, coarsest first (docs/data-sharing.md)."""

    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")
    GRID = "grid", _("网格")
    BUILDING = "building", _("楼栋")


# Coarse to fine: a token granted a level may read it and every coarser one.
LEVEL_ORDER: list[str] = [Level.STREET, Level.COMMUNITY, Level.GRID, Level.BUILDING]


class SharingToken(models.Model):
    """A city system's read-only key to chosen datasets of chosen communities at an aggregate
    level (SEC-4). Only the SHA-256 digest of the key is stored; the key is shown once."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("接入系统"), max_length=60)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    datasets = models.JSONField(_("数据集"), default=list)
    communities = models.ManyToManyField("core.Community", related_name="+", verbose_name=_("社区"))
    level = models.CharField(_("最细层级"), max_length=10, choices=Level.choices)
    rate_per_minute = models.PositiveIntegerField(_("每分钟调用上限"), default=60)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("数据共享令牌")
        ordering = ["-id"]


class SharingCall(models.Model):
    """One call of the sharing API by a known token, served or refused (`refused` holds the
    error code). A key that matches no token is logged by the server only."""

    token = models.ForeignKey(SharingToken, on_delete=models.CASCADE, related_name="calls")
    at = models.DateTimeField(auto_now_add=True)
    dataset = models.CharField(max_length=20, blank=True)
    level = models.CharField(max_length=10, blank=True)
    params = models.JSONField(default=dict)
    status = models.PositiveSmallIntegerField()
    refused = models.CharField(max_length=40, blank=True)
    withheld = models.PositiveIntegerField(default=0)  # cells served without their value (suppressed)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="token__community")

    class Meta:
        verbose_name = _("数据共享调用")
        ordering = ["-id"]
        indexes = [models.Index(fields=["token", "at"])]
