"""Patrols (WO-6, GRID-1), preventive maintenance plans and emergency playbooks (GRID-4).

A patrol route is a list of checkpoints, each with a QR/NFC tag; its schedules say when it is
walked. The scheduler opens one `PatrolRun` per due time (unique per route and time) and marks it
missed once its window has passed; a guard checks in by scanning each tag. A maintenance plan
opens a work order every N days; a playbook opens an incident and its tasks at once.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths
from linli.workorders.choices import Priority
from linli.workorders.models.requests import Category, Request, Team


class RunStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("待巡检")
    IN_PROGRESS = "in_progress", _("巡检中")
    COMPLETED = "completed", _("已完成")
    MISSED = "missed", _("漏检")


class PlaybookCode(models.TextChoices):
    ELEVATOR_ENTRAPMENT = "elevator_entrapment", _("电梯困人")
    FIRE = "fire", _("火灾")
    FLOODING = "flooding", _("水浸")
    GAS = "gas", _("燃气泄漏")


class PatrolRoute(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("路线名称"), max_length=40)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    # What an abnormal check-in is reported as; none: the check-in is only flagged.
    report_category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("巡检路线")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="wo_route_name_unique")]


class Checkpoint(models.Model):
    route = models.ForeignKey(PatrolRoute, on_delete=models.CASCADE, related_name="checkpoints")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    order = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("巡检点"), max_length=40)
    tag_id = models.CharField(_("标签编号"), max_length=64)  # what the QR code or NFC tag reads
    building = models.ForeignKey(
        "registry.Building", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    plan_x = models.PositiveSmallIntegerField(null=True, blank=True)
    plan_y = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["route_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "tag_id"], name="wo_checkpoint_tag_unique")
        ]


class PatrolSchedule(models.Model):
    """When a route is walked: times of day on some weekdays, each with a window to finish."""

    route = models.ForeignKey(PatrolRoute, on_delete=models.CASCADE, related_name="schedules")
    times = models.JSONField(_("时间"))  # ["09:00", "21:00"]
    # Weekdays as digits, 0 = Monday ("01234" Monday to Friday); empty: every day.
    weekdays = models.CharField(_("星期"), max_length=7, blank=True)
    window_minutes = models.PositiveSmallIntegerField(_("完成时限(分钟)"), default=60)

    class Meta:
        ordering = ["id"]


class PatrolRun(models.Model):
    route = models.ForeignKey(PatrolRoute, on_delete=models.CASCADE, related_name="runs")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField()
    window_end = models.DateTimeField()
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.SCHEDULED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The checkpoints left unchecked when the window closed: [{"id", "name"}], as they were then.
    missed_checkpoints = models.JSONField(default=list, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("巡检任务")
        ordering = ["-due_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["route", "due_at"], name="wo_run_due_unique")]
        indexes = [models.Index(fields=["status", "window_end"], name="wo_run_open")]


class CheckIn(models.Model):
    run = models.ForeignKey(PatrolRun, on_delete=models.CASCADE, related_name="check_ins")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("备注"), max_length=300, blank=True)
    abnormal = models.BooleanField(_("异常"), default=False)
    photo = models.CharField(max_length=200, blank=True)  # under the attachments' media root
    request = models.ForeignKey(Request, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["run", "checkpoint"], name="wo_checkin_once")]


class MaintenancePlan(Timestamped):
    """Preventive maintenance: a work order of a maintenance category every `every_days` days."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("计划名称"), max_length=40)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(
        "registry.Building", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    every_days = models.PositiveSmallIntegerField(_("周期(天)"))
    next_due = models.DateField(_("下次日期"))
    active = models.BooleanField(default=True)
    description = models.CharField(_("维保内容"), max_length=500, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="building")

    class Meta:
        verbose_name = _("维保计划")
        ordering = ["id"]
        indexes = [models.Index(fields=["active", "next_due"], name="wo_plan_due")]


class Playbook(Timestamped):
    """An emergency plan: the incident (in `category`) and the tasks opened with it."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("类型"), max_length=30, choices=PlaybookCode.choices)
    name = models.CharField(_("预案名称"), max_length=40)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("应急预案")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["community", "code"], name="wo_playbook_code_unique")]


class PlaybookTask(models.Model):
    """One task of a playbook; it goes to its category's default team."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="tasks")
    order = models.PositiveSmallIntegerField()
    title = models.CharField(_("任务"), max_length=60)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.HIGH)

    class Meta:
        ordering = ["playbook_id", "order", "id"]
