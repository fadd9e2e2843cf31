"""Alarms (IOT-6): one active alarm per (device, type), its occurrences counted.

Status (active/cleared) and acknowledgement are independent, as in ThingsBoard's model: an alarm
can clear before anyone acknowledged it, and it stays on the centre until someone does. The
partial unique constraint keeps a second active alarm of the same type on a device from ever
existing, even when two ingest workers raise it at the same moment.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths
from linli.iot.choices import AlarmStatus, Severity


class Alarm(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="iot_alarms")
    device = models.ForeignKey("iot.Device", on_delete=models.CASCADE, related_name="alarms")
    building = models.ForeignKey(
        "registry.Building", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.ForeignKey("iot.Rule", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    type = models.CharField(_("告警类型"), max_length=40)
    title = models.CharField(_("标题"), max_length=100)
    severity = models.CharField(_("级别"), max_length=10, choices=Severity.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=AlarmStatus.choices, default=AlarmStatus.ACTIVE
    )
    count = models.PositiveIntegerField(_("发生次数"), default=1)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ack_note = models.CharField(_("确认说明"), max_length=200, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The values that raised it, the camera's estimate (floors, face), a snapshot URL.
    details = models.JSONField(default=dict, blank=True)
    snapshot_url = models.URLField(max_length=300, blank=True)
    # Re-notified until acknowledged: the next reminder and how many levels it went up.
    notify_at = models.DateTimeField(null=True, blank=True)
    escalation = models.PositiveSmallIntegerField(default=0)
    # The work order or grid incident an action opened (workorders' id; no foreign key across apps).
    request_id = models.BigIntegerField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="building")

    class Meta:
        verbose_name = _("告警")
        ordering = ["-last_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "type"], condition=Q(status="active"), name="iot_one_active_alarm"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status", "-last_at"]),
            models.Index(fields=["notify_at"]),
        ]

    def __str__(self):
        return self.title


class AlarmLog(models.Model):
    """The alarm's timeline: raised, repeated, acknowledged, assigned, escalated, cleared."""

    alarm = models.ForeignKey(Alarm, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField()
    kind = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]
