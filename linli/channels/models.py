"""What the channels people already use (WeChat, WeCom, DingTalk) need kept: the access tokens
their APIs hand out, one per credential, shared by every process; the WeChat identities residents
bound to their accounts, and the one-time tickets that carry an openid to its phone check."""

import hashlib
import secrets

from django.conf import settings
from django.db import models

from linli.core.crypto import EncryptedTextField, blind_index
from linli.core.owned import OwnedQuerySet


class AccessToken(models.Model):
    """A third party's access token (WeChat's, WeCom's, DingTalk's), cached for all processes:
    these APIs hand out a few thousand a day and some invalidate the previous one when a new one
    is fetched, so one process refreshes it and the others read it (access_tokens.py)."""

    key = models.CharField(max_length=120, unique=True)  # provider and credential, never the secret
    token = EncryptedTextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.key


class WeChatIdentity(models.Model):
    """A resident's WeChat under one AppID (the official account's or the mini-program's), bound
    after a phone check. The openid is personal data like a phone number: encrypted, found by its
    blind index, masked on screen, deleted with the person (channels.services.erase_wechat_of)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wechat_identities"
    )
    app_id = models.CharField(max_length=64)
    openid = EncryptedTextField()
    openid_bidx = models.CharField(max_length=32)
    unionid = EncryptedTextField(blank=True)
    bound_at = models.DateTimeField()

    objects = OwnedQuerySet.as_manager()
    owner_field = "user"

    class Meta:
        constraints = [
            # An openid belongs to one account: a second account cannot take it over.
            models.UniqueConstraint(fields=["app_id", "openid_bidx"], name="wechat_openid_one_account"),
            # An account has one WeChat per app: the next is bound after unbinding this one.
            models.UniqueConstraint(fields=["user", "app_id"], name="wechat_one_per_app"),
        ]

    def __str__(self) -> str:
        return f"{self.app_id}:{self.pk}"

    def set_openid(self, openid: str) -> None:
        self.openid = openid
        self.openid_bidx = blind_index("openid", openid)


class WeChatBindingTicket(models.Model):
    """An openid WeChat vouched for, waiting for the phone check that binds it: single use, a few
    minutes long. Only the ticket's hash is stored; the ticket itself is in the resident's
    session (H5) or handed to the mini-program."""

    key_hash = models.CharField(max_length=64, unique=True)
    app_id = models.CharField(max_length=64)
    openid = EncryptedTextField()
    unionid = EncryptedTextField(blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.app_id}:{self.pk}"

    @staticmethod
    def new_raw() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()
