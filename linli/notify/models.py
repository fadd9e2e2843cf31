from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.crypto import EncryptedTextField
from linli.core.owned import OwnedQuerySet


class Notification(models.Model):
    """One message in one user's inbox (消息). Only its recipient ever reads it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    community = models.ForeignKey("core.Community", null=True, blank=True, on_delete=models.CASCADE)
    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = OwnedQuerySet.as_manager()
    owner_field = "recipient"

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        indexes = [
            models.Index(fields=["recipient", "id"]),
            models.Index(fields=["recipient", "read_at"]),
        ]

    def __str__(self):
        return self.title


class Preference(models.Model):
    """One person's choice for one topic (a kind or a prefix of kinds, linli.notify.topics) on one
    channel other than the inbox. No row: on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    topic = models.CharField(_("消息类型"), max_length=40)
    channel = models.CharField(_("渠道"), max_length=20)
    enabled = models.BooleanField(_("开启"), default=True)

    objects = OwnedQuerySet.as_manager()
    owner_field = "user"

    class Meta:
        verbose_name = _("消息提醒设置")
        verbose_name_plural = _("消息提醒设置")
        constraints = [
            models.UniqueConstraint(fields=["user", "topic", "channel"], name="notify_preference_once")
        ]

    def __str__(self):
        return f"{self.topic}/{self.channel}"


class SmsDelivery(models.Model):
    """One text a gateway accepted, and what its delivery receipt later said. The phone is kept
    encrypted and found by its blind index, like every phone on the platform."""

    class Status(models.TextChoices):
        SENT = "sent", _("已发送")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("未送达")

    provider = models.CharField(_("短信服务商"), max_length=20)
    # Aliyun's BizId, Tencent Cloud's SerialNo: what the receipt names the message by.
    message_id = models.CharField(_("服务商消息编号"), max_length=64)
    template = models.CharField(_("短信模板"), max_length=40)
    phone = EncryptedTextField(_("手机号"))
    phone_bidx = models.CharField(max_length=32, db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SENT)
    error_code = models.CharField(_("服务商状态码"), max_length=64, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    reported_at = models.DateTimeField(_("回执时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信发送记录")
        verbose_name_plural = _("短信发送记录")
        constraints = [
            models.UniqueConstraint(fields=["provider", "message_id"], name="notify_sms_delivery_once")
        ]

    def __str__(self):
        return f"{self.provider}:{self.message_id}"
