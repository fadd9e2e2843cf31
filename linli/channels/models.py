"""What the channels people already use (WeChat, WeCom, DingTalk) need kept: the access tokens
their APIs hand out, one per credential, shared by every process; which staff channel a
community uses and its credentials; staff members' user ids there; the WeChat identities residents
bound to their accounts, and the one-time tickets that carry an openid to its phone check."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.crypto import EncryptedTextField, blind_index
from linli.core.models import Timestamped
from linli.core.owned import OwnedQuerySet
from linli.core.restrict import RestrictedQuerySet, ScopePaths


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


class StaffChannelKind(models.TextChoices):
    NONE = "none", _("不使用")
    WECOM = "wecom", _("企业微信应用消息")
    DINGTALK_ROBOT = "dingtalk_robot", _("钉钉群机器人")
    DINGTALK_NOTICE = "dingtalk_notice", _("钉钉工作通知")


class StaffChannel(Timestamped):
    """Where a community's staff get their work messages (dispatch, escalation, alarms) besides
    the inbox, and the credentials for it. Secrets are encrypted; a blank WeCom field falls back
    to the environment (LINLI_WECOM_*), so that a property company with one WeCom corp for all its
    communities keeps the secret out of the database (docs/channels.md)."""

    community = models.OneToOneField("core.Community", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=StaffChannelKind.choices, default=StaffChannelKind.NONE)
    wecom_corp_id = models.CharField(max_length=40, blank=True)
    wecom_agent_id = models.CharField(max_length=20, blank=True)
    wecom_secret = EncryptedTextField(blank=True)
    # The robot's webhook carries its own access_token: whoever has it may post to the group.
    dingtalk_robot_token = EncryptedTextField(blank=True)
    dingtalk_sign_secret = EncryptedTextField(blank=True)  # 加签 secret (SEC…)
    # An internal app of the company's DingTalk corp, for work notifications to each person.
    dingtalk_app_key = models.CharField(max_length=64, blank=True)
    dingtalk_app_secret = EncryptedTextField(blank=True)
    dingtalk_agent_id = models.CharField(max_length=20, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    def __str__(self) -> str:
        return f"{self.community_id}:{self.kind}"


class StaffChatId(Timestamped):
    """A staff member's user id in a corp's WeCom or DingTalk, found once from their phone and
    remembered: the lookup has its own quota."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    corp = models.CharField(max_length=80)  # "wecom:<corpid>", "dingtalk:<appkey>"
    external_id = EncryptedTextField()
    external_id_bidx = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "corp"], name="channels_one_chat_id_per_corp"),
            models.UniqueConstraint(fields=["corp", "external_id_bidx"], name="channels_chat_id_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.corp}"


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
