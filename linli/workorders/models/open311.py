"""Open311 GeoReport v2 (WO-7): the API keys that let an outside client open requests."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.restrict import RestrictedQuerySet, ScopePaths


class ApiKey(models.Model):
    """A community's key for POSTing requests; only its SHA-256 is stored, the key is shown once."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("名称"), max_length=60)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)  # the key's first characters, to tell keys apart
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("Open311 密钥")
        ordering = ["-id"]

    @staticmethod
    def new_raw() -> str:
        return "o311_" + secrets.token_urlsafe(32)

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()
