"""Devices and their profiles (IOT-1).

A profile is what a kind of device reports (its telemetry keys with units and the expected
reporting interval) and the rules every device of that profile starts with. A device is placed
in the registry (building, floor, a point on the site plan) and proves who it is with its own
token, of which only the SHA-256 digest is kept.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths
from linli.iot.choices import DeviceKind

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"


class Profile(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="iot_profiles")
    kind = models.CharField(_("设备类型"), max_length=20, choices=DeviceKind.choices)
    name = models.CharField(_("名称"), max_length=40)
    # [{"key": "co", "label": "一氧化碳", "unit": "ppm", "min": 0, "max": 2000}, …]
    keys = models.JSONField(_("遥测项"), default=list, blank=True)
    # Commands the device understands: ["fan_on", "fan_off"].
    commands = models.JSONField(_("可用指令"), default=list, blank=True)
    interval_s = models.PositiveIntegerField(_("上报间隔(秒)"), default=60)
    # Silent this long (seconds) and the device is offline; by default three missed reports.
    offline_after_s = models.PositiveIntegerField(_("离线判定(秒)"), default=180)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("设备档案")
        ordering = ["community_id", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="iot_profile_name_unique")]

    def __str__(self):
        return self.name


class Device(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="iot_devices")
    # A community removed takes its profiles and devices; a profile in use is not deleted by a service.
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="devices")
    # The device's name on the wire: linli/{community code}/{device code}/telemetry.
    code = models.CharField(_("设备编号"), max_length=64)
    name = models.CharField(_("名称"), max_length=60)
    building = models.ForeignKey(
        "registry.Building", null=True, blank=True, on_delete=models.SET_NULL, related_name="iot_devices"
    )
    floor = models.SmallIntegerField(_("楼层"), null=True, blank=True)
    place = models.CharField(_("位置"), max_length=100, blank=True)
    plan_x = models.PositiveSmallIntegerField(null=True, blank=True)
    plan_y = models.PositiveSmallIntegerField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    # Per-device values of the rules' parameters: {"co_limit": 40}.
    params = models.JSONField(_("参数"), default=dict, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    # Devices driven by `linli simulate`: it may rotate their tokens; never a real device.
    simulated = models.BooleanField(default=False)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="building")

    class Meta:
        verbose_name = _("设备")
        ordering = ["community_id", "code"]
        constraints = [models.UniqueConstraint(fields=["community", "code"], name="iot_device_code_unique")]
        indexes = [models.Index(fields=["community", "profile"])]

    def __str__(self):
        return f"{self.name} ({self.code})"


class DeviceState(models.Model):
    """The latest values, kept hot by the ingest worker and written back in batches."""

    device = models.OneToOneField(Device, on_delete=models.CASCADE, primary_key=True, related_name="state")
    values = models.JSONField(default=dict)
    last_seen = models.DateTimeField(null=True)
    online = models.BooleanField(default=False)
    messages = models.BigIntegerField(default=0)
    rejected = models.BigIntegerField(default=0)
    last_rejection = models.CharField(max_length=40, blank=True)

    class Meta:
        indexes = [models.Index(fields=["online", "last_seen"])]
