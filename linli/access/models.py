"""Access control (ACC-1..ACC-10): points, zones, terminals, grants, credentials, passes, events.

Personal data (visitor ID numbers and phones, plates, face embeddings) is encrypted at rest;
exact lookups go through keyed digests, never through the plaintext.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.access.choices import (
    AlertStatus,
    CallStatus,
    CareRuleKind,
    ChangeKind,
    CredentialKind,
    Direction,
    GrantSource,
    Method,
    PassKind,
    PointKind,
    SecurityKind,
    SecurityStatus,
    ZoneKind,
)
from linli.core.crypto import EncryptedTextField
from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths
from linli.registry.models import living_in


class AccessPoint(Timestamped):
    """A door, gate, barrier or elevator. Direction feeds the care rules (went out / came back)."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="access_points")
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=20, choices=PointKind.choices)
    building = models.ForeignKey(
        "registry.Building", null=True, blank=True, on_delete=models.CASCADE, related_name="access_points"
    )
    unit = models.ForeignKey(
        "registry.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="access_points"
    )
    direction = models.CharField(_("方向"), max_length=4, choices=Direction.choices, default=Direction.BOTH)
    allow_temporary_parking = models.BooleanField(_("允许临时车辆"), default=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="building")

    class Meta:
        verbose_name = _("门禁点")
        ordering = ["community_id", "id"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="access_point_name_unique")]

    def __str__(self):
        return self.name


class Zone(Timestamped):
    """A set of points granted together, e.g. 1号楼住户 = the gates + 1号楼's doors and elevators."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="access_zones")
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=20, choices=ZoneKind.choices, default=ZoneKind.CUSTOM)
    building = models.ForeignKey(
        "registry.Building", null=True, blank=True, on_delete=models.CASCADE, related_name="access_zones"
    )
    points = models.ManyToManyField(AccessPoint, related_name="zones", blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="building")

    class Meta:
        verbose_name = _("门禁分区")
        ordering = ["community_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="zone_name_unique"),
            models.UniqueConstraint(
                fields=["building"],
                condition=Q(kind=ZoneKind.BUILDING_RESIDENTS),
                name="zone_one_per_building",
            ),
            models.UniqueConstraint(
                fields=["community"], condition=Q(kind=ZoneKind.ALL_POINTS), name="zone_one_all_points"
            ),
        ]

    def __str__(self):
        return self.name


class Terminal(Timestamped):
    """A physical device at one point with its own credentials: a bearer secret (stored as a
    SHA-256 digest) and/or an Ed25519 public key for signed requests."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="terminals")
    point = models.ForeignKey(AccessPoint, on_delete=models.CASCADE, related_name="terminals")
    name = models.CharField(_("名称"), max_length=60)
    serial = models.CharField(_("序列号"), max_length=60, blank=True)
    token_prefix = models.CharField(max_length=12, blank=True)
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    public_key = models.CharField(_("公钥"), max_length=64, blank=True)  # base64url raw Ed25519
    revoked_at = models.DateTimeField(null=True, blank=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_version = models.BigIntegerField(default=0)  # the snapshot version it last fetched

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="point__building")

    class Meta:
        verbose_name = _("门禁终端")
        ordering = ["community_id", "id"]

    def __str__(self):
        return self.name


class SigningKey(models.Model):
    """A community's Ed25519 key for passes and snapshots. The private half is encrypted at
    rest; the active key signs, the previous one still verifies (in the JWKS) until retired."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("当前")
        PREVIOUS = "previous", _("上一把")
        RETIRED = "retired", _("已停用")

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="signing_keys")
    kid = models.CharField(max_length=40, unique=True)
    private_key = EncryptedTextField()
    public_key = models.CharField(max_length=64)  # base64url raw Ed25519, the JWK "x"
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("签名密钥")
        ordering = ["community_id", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community"], condition=Q(status="active"), name="signing_key_one_active"
            )
        ]


class Grant(Timestamped):
    """Person × zone × time window × weekly schedule × source. Grants from the registry
    (ownership, lease, residence, household) carry the occupancy they hang on in source_id and
    are re-checked against it at every decision."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="access_grants")
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="grants")
    house = models.ForeignKey(
        "registry.House", null=True, blank=True, on_delete=models.CASCADE, related_name="access_grants"
    )
    source = models.CharField(_("来源"), max_length=20, choices=GrantSource.choices)
    source_id = models.BigIntegerField(null=True, blank=True)
    label = models.CharField(_("说明"), max_length=40, blank=True)  # e.g. 保姆, 钟点工
    valid_from = models.DateTimeField(_("生效时间"))
    valid_until = models.DateTimeField(_("失效时间"), null=True, blank=True)
    # [{"days": [1..7 ISO weekdays], "start": "08:00", "end": "18:00"}], local time; null = any time.
    schedule = models.JSONField(_("每周时段"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=40, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="house__building", resident="house")

    class Meta:
        verbose_name = _("门禁授权")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["person", "zone"]),
            models.Index(fields=["source", "source_id"]),
            models.Index(fields=["house", "revoked_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "zone", "source", "source_id"],
                condition=Q(revoked_at__isnull=True),
                name="grant_unique_active",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="grant_window_ordered",
            ),
        ]


class Credential(Timestamped):
    """A card, a PIN or a face. Cards and PINs are found by a keyed digest (`lookup`, with the
    key ring's index key, outside the database); `offline_verifier` is what terminals get in
    their snapshot (a salted digest; for PINs scrypt). A face keeps only its encrypted embedding."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="access_credentials")
    kind = models.CharField(_("类型"), max_length=10, choices=CredentialKind.choices)
    house = models.ForeignKey(  # a PIN is typed after the room number: 房号 + 密码
        "registry.House", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    lookup = models.CharField(max_length=64, null=True, blank=True)
    offline_verifier = models.CharField(max_length=64, blank=True)
    label = models.CharField(_("说明"), max_length=40, blank=True)  # e.g. 卡号尾号 3456
    embedding = EncryptedTextField(blank=True)  # base64 of 128 float32, faces only
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("门禁凭证")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["community", "kind", "lookup"]),
            models.Index(fields=["person", "kind"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "kind", "lookup"],
                condition=Q(revoked_at__isnull=True, lookup__isnull=False),
                name="credential_lookup_unique_active",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(kind="face", revoked_at__isnull=True),
                name="credential_one_face",
            ),
        ]


class FaceConsent(models.Model):
    """Explicit consent to face recognition (ACC-10). Withdrawing it deletes the embedding."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="face_consents")
    consented_at = models.DateTimeField()
    consent_by = models.CharField(_("同意人"), max_length=60)  # the person or their guardian
    method = models.CharField(_("同意方式"), max_length=30)  # app, 书面, 现场
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("人脸识别同意")
        ordering = ["-id"]


class VisitorPass(Timestamped):
    """A visitor's right to pass some gates a few times in a window; the QR is its signed token."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="visitor_passes")
    kind = models.CharField(_("类型"), max_length=10, choices=PassKind.choices, default=PassKind.VISITOR)
    house = models.ForeignKey(
        "registry.House", null=True, blank=True, on_delete=models.SET_NULL, related_name="visitor_passes"
    )
    host = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    visitor_name = models.CharField(_("访客姓名"), max_length=60)
    visitor_phone = EncryptedTextField(_("访客手机"), blank=True)
    visitor_id_number = EncryptedTextField(_("访客身份证号"), blank=True)
    visitor_id_bidx = models.CharField(max_length=32, null=True, blank=True, db_index=True)
    plate = EncryptedTextField(_("车牌号"), blank=True)
    plate_bidx = models.CharField(max_length=32, null=True, blank=True, db_index=True)
    purpose = models.CharField(_("事由"), max_length=100, blank=True)
    valid_from = models.DateTimeField(_("生效时间"))
    valid_until = models.DateTimeField(_("失效时间"))
    max_uses = models.PositiveIntegerField(_("可用次数"))
    uses = models.PositiveIntegerField(_("已用次数"), default=0)
    gates = models.ManyToManyField(AccessPoint, related_name="+")
    jti = models.CharField(max_length=32, unique=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Empty when someone revoked it; a reason code (pass_host_left, ...) when its source ended.
    revoke_reason = models.CharField(max_length=30, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="house__building", resident="house")

    class Meta:
        verbose_name = _("访客通行证")
        ordering = ["-id"]
        # Live passes (valid_until in the future) are what snapshots and the ended-rights job read.
        indexes = [models.Index(fields=["community", "valid_until"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=models.F("valid_from")), name="pass_window_ordered"
            ),
            models.CheckConstraint(condition=Q(max_uses__gte=1), name="pass_max_uses_positive"),
        ]


class AccessEvent(models.Model):
    """Every decision (ACC-6), online or uploaded later by an offline terminal. `uuid` is the
    terminal's own event id: a replayed upload hits the unique constraint and adds nothing (on
    PostgreSQL, where the table is partitioned by month, a trigger keeps it unique: 0004)."""

    # community, point and person are indexed by the composite indexes below, which lead with
    # them; an index of its own each would only slow every insert and the planning of every read
    # over the monthly partitions (each index is planned once per partition).
    community = models.ForeignKey(
        "core.Community", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    point = models.ForeignKey(AccessPoint, on_delete=models.CASCADE, related_name="events", db_index=False)
    terminal = models.ForeignKey(Terminal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="access_events",
        db_index=False,
    )
    visitor_pass = models.ForeignKey(
        VisitorPass, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    at = models.DateTimeField()
    method = models.CharField(max_length=10, choices=Method.choices)
    allowed = models.BooleanField()
    reason = models.CharField(max_length=30)
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.BOTH)
    uuid = models.UUIDField(null=True, blank=True, unique=True)
    offline = models.BooleanField(default=False)
    detail = models.JSONField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="point__building")

    class Meta:
        verbose_name = _("通行记录")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["point", "at"]),
            models.Index(fields=["person", "at"]),
            models.Index(fields=["community", "id"]),
            # Dashboards count a community's passages of a day or an hour.
            models.Index(fields=["community", "at"]),
        ]


class SecurityEvent(models.Model):
    """Something a guard should look at. One open row per point and kind: repeats bump it."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    point = models.ForeignKey(AccessPoint, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=SecurityKind.choices)
    status = models.CharField(max_length=12, choices=SecurityStatus.choices, default=SecurityStatus.OPEN)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=1)
    last_reason = models.CharField(max_length=30, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="point__building")

    class Meta:
        verbose_name = _("安全事件")
        ordering = ["-last_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["point", "kind"], condition=Q(status="open"), name="security_event_one_open"
            )
        ]


class ChangeLog(models.Model):
    """What changed for terminals, in order: the id is the snapshot version. A terminal asking
    for `since=v` gets exactly what changed after v, however long it was offline."""

    community_id = models.BigIntegerField()
    kind = models.CharField(max_length=10, choices=ChangeKind.choices)
    ref_id = models.BigIntegerField(null=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["community_id", "id"])]


class OpenCommand(models.Model):
    """A one-shot "open now" for the terminals of a point (app, intercom, guard); terminals
    fetch it and it is handed out once (conditional update on delivered_at)."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    point = models.ForeignKey(AccessPoint, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=10, choices=Method.choices)
    # No database key: access events are partitioned by month on PostgreSQL, and a key cannot
    # point at a partitioned table's id alone (migration 0004).
    event = models.ForeignKey(
        AccessEvent, null=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_to = models.ForeignKey(
        Terminal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["point", "delivered_at", "expires_at"])]


class IntercomCall(models.Model):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    point = models.ForeignKey(AccessPoint, on_delete=models.CASCADE, related_name="+")
    terminal = models.ForeignKey(Terminal, null=True, on_delete=models.SET_NULL, related_name="+")
    house = models.ForeignKey("registry.House", on_delete=models.CASCADE, related_name="intercom_calls")
    status = models.CharField(max_length=10, choices=CallStatus.choices, default=CallStatus.RINGING)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="house__building", resident="house")

    class Meta:
        verbose_name = _("可视对讲呼叫")
        ordering = ["-id"]
        indexes = [models.Index(fields=["house", "status"])]


class ParkingRecord(models.Model):
    """A vehicle that is neither a resident's nor announced by a pass: entry and exit times,
    so that fees can be charged once billing exists (ACC-9)."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    plate = EncryptedTextField(_("车牌号"))
    plate_bidx = models.CharField(max_length=32)
    visitor_pass = models.ForeignKey(
        VisitorPass, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entry_point = models.ForeignKey(AccessPoint, on_delete=models.CASCADE, related_name="+")
    exit_point = models.ForeignKey(
        AccessPoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField()
    exited_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("临时停车记录")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "plate_bidx"],
                condition=Q(exited_at__isnull=True),
                name="parking_one_open",
            )
        ]


class CareRule(Timestamped):
    """久未出 / 久出未归 for one care-tagged person; applies only while their tag is consented."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="care_rules")
    kind = models.CharField(_("规则"), max_length=10, choices=CareRuleKind.choices)
    hours = models.PositiveSmallIntegerField(_("小时数"))
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("关爱提醒规则")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"], condition=Q(is_active=True), name="care_rule_one_active"
            ),
            models.CheckConstraint(condition=Q(hours__gte=1), name="care_rule_hours_positive"),
        ]

    @classmethod
    def building_scope_q(cls, building_ids):
        """Staff narrowed to buildings (a grid worker) see the care of the people living there."""
        return Q(person_id__in=living_in(building_ids))


class CareAlert(models.Model):
    """One raised condition. `condition_at` (the last exit, or the rule's start) identifies the
    condition, so the same silence never alerts twice; one open alert per rule."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(CareRule, on_delete=models.CASCADE, related_name="alerts")
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="care_alerts")
    kind = models.CharField(max_length=10, choices=CareRuleKind.choices)
    status = models.CharField(max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    condition_at = models.DateTimeField()
    raised_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("处理说明"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("关爱提醒")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule"], condition=Q(status="open"), name="care_alert_one_open"),
            models.UniqueConstraint(fields=["rule", "condition_at"], name="care_alert_once_per_condition"),
        ]

    @classmethod
    def building_scope_q(cls, building_ids):
        """Staff narrowed to buildings (a grid worker) see the care of the people living there."""
        return Q(person_id__in=living_in(building_ids))


class SyncCursor(models.Model):
    """How far the registry consumer has read (outbox events, new occupancies, memberships)."""

    name = models.CharField(max_length=40, primary_key=True)
    last_outbox_id = models.BigIntegerField(default=0)
    last_occupancy_id = models.BigIntegerField(default=0)
    memberships_seen_at = models.DateTimeField(null=True)
