from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a request is about; each category belongs to one kind (WO-1, GRID-2)."""

    REPAIR = "repair", _("报修")
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")
    SNAPSHOT = "snapshot", _("随手拍")
    DECORATION = "decoration", _("装修申请")
    LOST_FOUND = "lost_found", _("失物招领")
    INCIDENT = "incident", _("网格事件")
    MAINTENANCE = "maintenance", _("计划维保")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    ASSIGNED = "assigned", _("已派单")
    ON_THE_WAY = "on_the_way", _("在路上")
    IN_PROGRESS = "in_progress", _("处理中")
    PAUSED = "paused", _("已暂停")
    AWAITING_PARTS = "awaiting_parts", _("待配件")
    NEEDS_PAYMENT = "needs_payment", _("待付费确认")
    DONE = "done", _("已完成")
    CHECKED = "checked", _("已验收")
    CLOSED = "closed", _("已关闭")
    REJECTED = "rejected", _("已驳回")
    CANCELLED = "cancelled", _("已撤销")


# Statuses in which someone still owes the reporter something (the SLA clock runs).
OPEN = (
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.ASSIGNED,
    Status.ON_THE_WAY,
    Status.IN_PROGRESS,
    Status.PAUSED,
    Status.AWAITING_PARTS,
    Status.NEEDS_PAYMENT,
)
FINISHED = (Status.DONE, Status.CHECKED, Status.CLOSED, Status.REJECTED, Status.CANCELLED)


class Priority(models.TextChoices):
    URGENT = "urgent", _("紧急")
    HIGH = "high", _("高")
    NORMAL = "normal", _("普通")
    LOW = "low", _("低")


class Source(models.TextChoices):
    RESIDENT = "resident", _("住户")
    STAFF = "staff", _("工作人员")
    CAMERA = "camera", _("AI摄像头")
    SENSOR = "sensor", _("传感器")
    OPEN311 = "open311", _("Open311")
    PATROL = "patrol", _("巡检")
    SCHEDULE = "schedule", _("计划维保")
    PLAYBOOK = "playbook", _("应急预案")


class DispatchMode(models.TextChoices):
    AUTO = "auto", _("自动派单")
    GRAB = "grab", _("抢单")
    MANUAL = "manual", _("人工派单")


class TeamKind(models.TextChoices):
    PROPERTY = "property", _("物业")
    GRID = "grid", _("网格")
    STREET_OFFICE = "street_office", _("街道办")
    POLICE = "police", _("派出所")
    FIRE = "fire", _("消防")
    SANITATION = "sanitation", _("环卫")
    AFTER_SALES = "after_sales", _("品牌售后")  # in-warranty smart-home devices, free (WO-2)


class Stage(models.TextChoices):
    """When a photo was taken: with the report, before or after the work, at the check."""

    REPORT = "report", _("报事照片")
    BEFORE = "before", _("维修前")
    AFTER = "after", _("维修后")
    CHECK = "check", _("验收")
