"""Linkage (IOT-5, IOT-7): commands to devices, broadcasts to speakers, automations.

A command is published on `linli/{community}/{device}/command` with its id; the device answers
on its status topic with that id, and an unanswered command is retried, then times out.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths
from linli.iot.choices import BroadcastPriority, CommandStatus, RunMode, RunStatus


class Command(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    device = models.ForeignKey("iot.Device", on_delete=models.CASCADE, related_name="commands")
    uid = models.CharField(max_length=32, unique=True)
    name = models.CharField(_("指令"), max_length=40)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=CommandStatus.choices, default=CommandStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # Next retry while SENT; the command times out once attempts are used up.
    retry_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=200, blank=True)
    alarm = models.ForeignKey("iot.Alarm", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="device__building")

    class Meta:
        verbose_name = _("设备指令")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "retry_at"])]


class Broadcast(Timestamped):
    """A message to the speakers of an area (云广播); speaking it is the speaker's job."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    building = models.ForeignKey(
        "registry.Building", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(_("内容"), max_length=200)
    priority = models.CharField(
        max_length=10, choices=BroadcastPriority.choices, default=BroadcastPriority.NORMAL
    )
    speakers = models.PositiveIntegerField(default=0)
    alarm = models.ForeignKey("iot.Alarm", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="building")

    class Meta:
        verbose_name = _("广播")
        ordering = ["-id"]


class Automation(Timestamped):
    """Trigger → conditions → actions, as in a home-automation scene ("夜间模式")."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("名称"), max_length=60)
    # {"alarm_type": "co_high"} or {"at": "22:00"}
    trigger = models.JSONField(_("触发"))
    # Steps in order: the rule actions plus {"type": "delay", "seconds": 600}.
    steps = models.JSONField(_("步骤"), default=list)
    mode = models.CharField(_("运行方式"), max_length=10, choices=RunMode.choices, default=RunMode.SINGLE)
    enabled = models.BooleanField(_("启用"), default=True)
    last_fired_on = models.DateField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("联动场景")
        ordering = ["community_id", "id"]


class AutomationRun(models.Model):
    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.WAITING)
    step = models.PositiveSmallIntegerField(default=0)
    # When the next step is due (after a delay); the scheduler resumes runs that are due.
    due_at = models.DateTimeField()
    alarm = models.ForeignKey("iot.Alarm", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "due_at"])]


class WorkerStatus(models.Model):
    """Each ingest worker's heartbeat and counters (accepted, rejected by reason)."""

    name = models.CharField(max_length=80, unique=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()
    counters = models.JSONField(default=dict)
