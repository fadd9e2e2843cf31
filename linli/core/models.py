from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.restrict import RestrictedQuerySet, ScopePaths, providers
from linli.core.roles import Role


class Timestamped(models.Model):
    """When a row was created and last changed: the columns most models share (no table)."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Community(Timestamped):
    name = models.CharField(_("名称"), max_length=100)
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    province = models.CharField(_("省"), max_length=30, blank=True)
    city = models.CharField(_("市"), max_length=30, blank=True)
    district = models.CharField(_("区"), max_length=30, blank=True)
    street = models.CharField(_("街道"), max_length=60, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="pk")

    class Meta:
        verbose_name = _("社区")
        verbose_name_plural = _("社区")
        ordering = ["id"]

    def __str__(self):
        return self.name

    @classmethod
    def resident_scope_q(cls, scope):
        return models.Q(pk__in=scope.resident_community_ids)

    @classmethod
    def building_scope_q(cls, building_ids):
        """Staff narrowed to a building still work in (and see) its community."""
        if providers.building_communities is None:
            return models.Q(pk__in=[])
        return models.Q(pk__in=providers.building_communities(building_ids))


class Membership(Timestamped):
    """A staff role in one community, optionally narrowed to one building or one grid."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    building = models.ForeignKey("registry.Building", null=True, blank=True, on_delete=models.CASCADE)
    grid = models.ForeignKey("grid.Grid", null=True, blank=True, on_delete=models.CASCADE)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")
    # Columns that narrow the role to a set of buildings; the app that owns each registers how
    # (linli.core.restrict.register_narrowing, in its AppConfig.ready).
    NARROWING_COLUMNS = ("grid_id",)

    class Meta:
        verbose_name = _("岗位")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "community", "role", "building", "grid"],
                name="membership_unique",
                nulls_distinct=False,
            )
        ]


class AuditHead(models.Model):
    """The single row that serialises appends to the audit hash chain."""

    last_hash = models.CharField(max_length=64, default="0" * 64)
    last_id = models.BigIntegerField(default=0)


class AuditEntry(models.Model):
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    on_behalf_of = models.CharField(max_length=150, blank=True)
    community_id = models.BigIntegerField(null=True, db_index=True)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    request_id = models.CharField(max_length=40, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community_id")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]


class PiiAccess(models.Model):
    """One staff read of unmasked personal data (SEC-1)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    community_id = models.BigIntegerField(null=True, db_index=True)
    person_id = models.BigIntegerField(db_index=True)
    fields = models.CharField(max_length=100)
    purpose = models.CharField(max_length=100, blank=True)
    request_id = models.CharField(max_length=40, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community_id")

    class Meta:
        ordering = ["-id"]


class OutboxEvent(models.Model):
    """An event written in the same transaction as the change; readers (SSE, workers) poll it."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    topic = models.CharField(max_length=60)
    community_id = models.BigIntegerField(null=True)
    user_id = models.BigIntegerField(null=True)
    payload = models.JSONField(default=dict)

    class Meta:
        indexes = [
            models.Index(fields=["user_id", "id"]),
            models.Index(fields=["community_id", "id"]),
        ]


class PeriodicJob(models.Model):
    """Scheduler state per registered job; survives restarts, claimed by conditional update."""

    name = models.CharField(max_length=100, primary_key=True)
    next_run_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True)
    locked_by = models.CharField(max_length=60, blank=True)
    last_started_at = models.DateTimeField(null=True)
    last_finished_at = models.DateTimeField(null=True)
    last_status = models.CharField(max_length=20, blank=True)
    last_error = models.TextField(blank=True)
    runs = models.PositiveIntegerField(default=0)
