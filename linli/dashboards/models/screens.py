from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.restrict import RestrictedQuerySet, ScopePaths


class ScreenToken(models.Model):
    """A kiosk's read-only key to one big screen: its community's, or (`street`) that of the
    street the community belongs to. Only the SHA-256 of the token is stored; the token itself
    is shown once, in the kiosk URL, when it is issued. A token shows no more than its issuer
    may read with stats.view at the time it is used (docs/dashboards.md, "The big screen")."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    street = models.BooleanField(_("街道大屏"), default=False)
    label = models.CharField(_("名称"), max_length=60)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("签发人")
    )
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("大屏令牌")
        ordering = ["community_id", "-id"]

    def __str__(self):
        return self.label
