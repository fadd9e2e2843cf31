import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.crypto import EncryptedTextField, blind_index
from linli.core.owned import OwnedQuerySet


class User(AbstractUser):
    """A login: staff sign in with password (+TOTP), residents with phone + SMS code."""

    display_name = models.CharField(_("姓名"), max_length=60, blank=True)
    phone = EncryptedTextField(_("手机号"), blank=True)
    phone_bidx = models.CharField(max_length=32, null=True, blank=True, unique=True)
    is_operator = models.BooleanField(_("平台运营方"), default=False)
    elderly_mode = models.BooleanField(_("长辈模式"), default=False)
    totp_secret = EncryptedTextField(blank=True)
    totp_enabled = models.BooleanField(default=False)
    # Time step of the last accepted TOTP code: a code is accepted once, never replayed.
    totp_last_step = models.BigIntegerField(null=True, blank=True)
    language = models.CharField(_("界面语言"), max_length=10, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def set_phone(self, phone: str) -> None:
        self.phone = phone
        self.phone_bidx = blind_index("phone", phone) if phone else None

    def __str__(self):
        return self.display_name or self.username


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """Bearer token for apps and integrations; only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=60)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = OwnedQuerySet.as_manager()
    owner_field = "user"

    class Meta:
        ordering = ["-id"]

    @staticmethod
    def new_raw() -> str:
        return "lnl_" + secrets.token_urlsafe(32)


class SmsCode(models.Model):
    """A one-time sign-in code sent by SMS. Only a keyed hash of the code is stored."""

    phone_bidx = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phone_bidx", "id"])]


class ThrottleCounter(models.Model):
    """One fixed-window counter of `accounts.throttle` (rate limits and lockouts)."""

    key = models.CharField(max_length=200, unique=True)
    window_start = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)
