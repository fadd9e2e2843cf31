"""What the channels people already use (WeChat, WeCom, DingTalk) need kept: the access tokens
their APIs hand out, one per credential, shared by every process."""

from django.db import models

from linli.core.crypto import EncryptedTextField


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
