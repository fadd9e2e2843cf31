"""Service requests and work orders (WO-1..WO-7) and grid incidents (GRID-1..GRID-4).

One `Request` model carries every kind (a repair, a complaint, a grid incident …); its category
says which form fields, SLA and default team apply. Every change of status is a conditional
update in `services/flow.py` and leaves a `RequestEvent`, which is the timeline the reporter sees.
"""

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.crypto import EncryptedTextField
from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths
from linli.workorders.choices import DispatchMode, Kind, Priority, Source, Stage, Status, TeamKind


class Settings(Timestamped):
    """A community's way of working: how orders are dispatched, its working hours and days."""

    community = models.OneToOneField("core.Community", on_delete=models.CASCADE, related_name="+")
    dispatch_mode = models.CharField(
        _("派单方式"), max_length=10, choices=DispatchMode.choices, default=DispatchMode.AUTO
    )
    work_start = models.TimeField(_("上班时间"), default=time(8, 30))
    work_end = models.TimeField(_("下班时间"), default=time(17, 30))
    # Days that break the national calendar for this community: ["2026-12-24", …].
    extra_holidays = models.JSONField(_("额外休息日"), default=list, blank=True)
    extra_workdays = models.JSONField(_("额外工作日"), default=list, blank=True)
    reopen_days = models.PositiveSmallIntegerField(_("可重新打开天数"), default=7)
    auto_close_days = models.PositiveSmallIntegerField(_("验收后自动关闭天数"), default=3)
    remind_before_minutes = models.PositiveIntegerField(_("到期前提醒(分钟)"), default=30)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("工单设置")


class Team(Timestamped):
    """Who handles requests: the property's repair crew, a grid, or a department with its queue."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="wo_teams")
    name = models.CharField(_("班组/部门"), max_length=40)
    kind = models.CharField(_("类型"), max_length=20, choices=TeamKind.choices, default=TeamKind.PROPERTY)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("班组")
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="wo_team_name_unique")]

    def __str__(self):
        return self.name


class Handler(Timestamped):
    """A member of a team who takes orders: their skills, where they work, whether on duty, and
    their current load (kept by the flow's conditional updates, so dispatch never counts rows)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="handlers")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wo_handlers")
    # ",plumbing,electric,": comma-wrapped so that one LIKE finds a skill on every engine.
    skills = models.CharField(_("技能"), max_length=200, blank=True)
    # Where they work: one grid or building, or (both empty) the whole community.
    grid = models.ForeignKey("grid.Grid", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    building = models.ForeignKey(
        "registry.Building", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    on_duty = models.BooleanField(_("在岗"), default=True)
    # Weekdays on the roster as digits, 0 = Monday ("01234" Monday to Friday); empty: every day.
    duty_weekdays = models.CharField(_("排班(星期)"), max_length=7, blank=True)
    open_count = models.PositiveIntegerField(default=0)
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("处理人")
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="wo_handler_unique")]
        indexes = [models.Index(fields=["community", "on_duty", "open_count"])]

    @property
    def skill_list(self) -> list[str]:
        return [s for s in self.skills.split(",") if s]

    @staticmethod
    def join_skills(skills) -> str:
        cleaned = sorted({s.strip() for s in skills if s and s.strip()})
        return f",{','.join(cleaned)}," if cleaned else ""


class Category(Timestamped):
    """A kind of request with its own form fields, skill, default team and priority (WO-1)."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="wo_categories")
    code = models.SlugField(_("编码"), max_length=40)  # Open311 service_code
    name = models.CharField(_("名称"), max_length=40)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    # Extra questions of this category's form: [{"key", "label", "type", "required", "choices"}].
    form_fields = models.JSONField(_("表单字段"), default=list, blank=True)
    skill = models.CharField(_("所需技能"), max_length=30, blank=True)
    default_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    default_priority = models.CharField(
        _("默认优先级"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    public = models.BooleanField(_("对外开放(Open311)"), default=True)
    active = models.BooleanField(default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("工单类别")
        ordering = ["community_id", "id"]
        constraints = [models.UniqueConstraint(fields=["community", "code"], name="wo_category_code_unique")]

    def __str__(self):
        return self.name

    @classmethod
    def resident_scope_q(cls, scope):
        return Q(community_id__in=scope.resident_community_ids, active=True)


class SlaPolicy(models.Model):
    """Response and resolution deadlines of one category at one priority (WO-4)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="slas")
    priority = models.CharField(max_length=10, choices=Priority.choices)
    respond_minutes = models.PositiveIntegerField(_("响应时限(分钟)"))
    resolve_minutes = models.PositiveIntegerField(_("解决时限(分钟)"))
    # Urgent work runs round the clock; the rest counts working hours on working days only.
    working_time_only = models.BooleanField(_("仅计工作时间"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "priority"], name="wo_sla_unique")]


class Request(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="wo_requests")
    category = models.ForeignKey(Category, on_delete=models.RESTRICT, related_name="requests")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.RESIDENT)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    description = models.CharField(_("描述"), max_length=1000)
    answers = models.JSONField(default=dict, blank=True)  # the category's form fields
    # Where: a house, a building, or a point on the site plan (0..1000 as buildings are placed).
    building = models.ForeignKey("registry.Building", null=True, blank=True, on_delete=models.SET_NULL)
    house = models.ForeignKey("registry.House", null=True, blank=True, on_delete=models.SET_NULL)
    plan_x = models.PositiveSmallIntegerField(null=True, blank=True)
    plan_y = models.PositiveSmallIntegerField(null=True, blank=True)
    place = models.CharField(_("位置说明"), max_length=100, blank=True)
    preferred_time = models.CharField(_("期望上门时间"), max_length=60, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact_name = EncryptedTextField(_("联系人"), blank=True)
    contact_phone = EncryptedTextField(_("联系电话"), blank=True)
    # Staff who took it in on a resident's behalf (代报, at the counter or by phone).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Stays with the last handler until the next one takes the order (a transfer does not drop it).
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hops = models.PositiveSmallIntegerField(default=0)  # hand-overs: assign, transfer, return
    respond_due = models.DateTimeField(null=True, blank=True)
    resolve_due = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    response_overdue = models.BooleanField(default=False)
    resolution_overdue = models.BooleanField(default=False)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_tags = models.JSONField(default=list, blank=True)
    rating_comment = models.CharField(max_length=200, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    under_warranty = models.BooleanField(_("保修期内"), default=False)
    charge_fen = models.PositiveIntegerField(default=0)
    bill_id = models.BigIntegerField(null=True, blank=True)  # billing's bill, once issued
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    token = models.CharField(max_length=32, unique=True)  # Open311's token for a new request

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="building", resident="house")

    class Meta:
        verbose_name = _("工单")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["community", "status", "-id"], name="wo_req_board"),
            # The public board counts open requests per building from the index alone.
            models.Index(fields=["community", "status", "building"], name="wo_req_by_building"),
            models.Index(fields=["reporter", "-id"], name="wo_req_reporter"),
            models.Index(fields=["assignee", "status"], name="wo_req_assignee"),
            # The SLA scan reads open requests by deadline; closed ones leave the partial index.
            models.Index(
                fields=["respond_due"], name="wo_req_respond_due", condition=Q(responded_at__isnull=True)
            ),
            models.Index(
                fields=["resolve_due"], name="wo_req_resolve_due", condition=Q(resolved_at__isnull=True)
            ),
        ]

    @property
    def number(self) -> str:
        return f"{self.created_at:%y%m%d}{self.pk:06d}"


class RequestEvent(models.Model):
    """One line of a request's timeline: who did what, from which status to which, and why."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]


class Attachment(Timestamped):
    """A photo (re-encoded, EXIF gone) or a video of a request, stored under MEDIA_ROOT."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="attachments")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.REPORT)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    path = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where the photo was taken, only when the reporter chose to share it (else stripped unread).
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["id"]


class PriceItem(Timestamped):
    """The published price list of paid repairs: materials and labour (WO-2)."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="wo_prices")
    name = models.CharField(_("名称"), max_length=40)
    unit = models.CharField(_("单位"), max_length=10, default="次")
    price_fen = models.PositiveIntegerField(_("单价(分)"))
    active = models.BooleanField(default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        ordering = ["id"]

    @classmethod
    def resident_scope_q(cls, scope):
        return Q(community_id__in=scope.resident_community_ids, active=True)  # a published list


class ChargeLine(models.Model):
    """Materials or labour used on a request, priced from the list when it was added."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="charges")
    price_item = models.ForeignKey(PriceItem, on_delete=models.RESTRICT, related_name="+")
    quantity = models.PositiveSmallIntegerField(default=1)
    amount_fen = models.PositiveIntegerField()
