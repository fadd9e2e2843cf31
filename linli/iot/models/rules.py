"""Alarm rules (IOT-3) and their state.

A rule belongs to a profile (every device of it) or to one device. Its condition, parameters
and actions are JSON in the grammar of `linli/iot/rules/spec.py` (docs/rules.md). The state of
a rule on a device (timers, counters, the last values it saw) is a row of its own, written in
the same batch as the readings that changed it, so a restart resumes a 2-minute duration where
it stood.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths
from linli.iot.choices import Severity


class Rule(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="iot_rules")
    profile = models.ForeignKey(
        "iot.Profile", null=True, blank=True, on_delete=models.CASCADE, related_name="rules"
    )
    device = models.ForeignKey(
        "iot.Device", null=True, blank=True, on_delete=models.CASCADE, related_name="rules"
    )
    name = models.CharField(_("名称"), max_length=60)
    alarm_type = models.CharField(_("告警类型"), max_length=40)
    severity = models.CharField(_("级别"), max_length=10, choices=Severity.choices, default=Severity.MAJOR)
    condition = models.JSONField(_("条件"))
    params = models.JSONField(_("参数默认值"), default=dict, blank=True)
    actions = models.JSONField(_("动作"), default=list, blank=True)
    auto_clear = models.BooleanField(_("条件消失时自动清除"), default=True)
    enabled = models.BooleanField(_("启用"), default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("告警规则")
        ordering = ["community_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(profile__isnull=False, device__isnull=True)
                | Q(profile__isnull=True, device__isnull=False),
                name="iot_rule_profile_xor_device",
            ),
        ]

    def __str__(self):
        return self.name


class RuleState(models.Model):
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="+")
    device = models.ForeignKey("iot.Device", on_delete=models.CASCADE, related_name="+")
    state = models.JSONField(default=dict)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "device"], name="iot_rule_state_unique")]
