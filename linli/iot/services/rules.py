"""Editing rules (IOT-3): one at a time in the console, or a whole set as JSON (export from one
community, import into another). An import is all or nothing."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import NotFound, ServiceError
from linli.core.permissions import require
from linli.core.roles import Action
from linli.iot.models import Device, Profile, Rule
from linli.iot.rules.spec import RuleSpecError, validate_export, validate_rule

FIELDS = ("name", "alarm_type", "severity", "condition", "params", "actions", "auto_clear", "enabled")


def _checked(doc: dict, validate=validate_rule) -> dict:
    try:
        return validate(doc)
    except RuleSpecError as e:
        raise ServiceError("invalid_rule", e.message, fields={e.field: e.message}) from None


def _target(community_id: int, profile_id: int | None, device_id: int | None) -> dict:
    if (profile_id is None) == (device_id is None):
        raise ServiceError("rule_target", _("规则应属于一个设备档案或一台设备"))
    if (
        profile_id is not None
        and not Profile.objects.filter(pk=profile_id, community_id=community_id).exists()
    ):
        raise ServiceError("unknown_profile", _("没有这个设备档案"), fields={"profile": profile_id})
    if device_id is not None and not Device.objects.filter(pk=device_id, community_id=community_id).exists():
        raise ServiceError("unknown_device", _("没有这台设备"), fields={"device": device_id})
    return {"profile_id": profile_id, "device_id": device_id}


def snapshot(rule: Rule) -> dict:
    return {f: getattr(rule, f) for f in FIELDS}


@transaction.atomic
def do_save_rule(
    *,
    actor: Actor,
    community_id: int,
    doc: dict,
    profile_id: int | None = None,
    device_id: int | None = None,
    rule_id: int | None = None,
) -> Rule:
    require(actor, Action.IOT_SETUP, community_id)
    values = {f: v for f, v in _checked(doc).items() if f in FIELDS}
    if rule_id is None:
        rule = Rule.objects.create(
            community_id=community_id, **_target(community_id, profile_id, device_id), **values
        )
        audit.record(actor=actor, action="iot.rule_created", obj=rule, community_id=community_id)
        return rule
    found = Rule.objects.filter(pk=rule_id, community_id=community_id).first()
    if found is None:
        raise NotFound()
    rule = found
    before = snapshot(rule)
    Rule.objects.filter(pk=rule.pk).update(**values, updated_at=timezone.now())
    rule.refresh_from_db()
    audit.record_change(actor=actor, obj=rule, community_id=community_id, before=before, snapshot=snapshot)
    return rule


@transaction.atomic
def do_delete_rule(*, actor: Actor, community_id: int, rule_id: int) -> None:
    require(actor, Action.IOT_SETUP, community_id)
    rule = Rule.objects.filter(pk=rule_id, community_id=community_id).first()
    if rule is None:
        raise NotFound()
    audit.record(actor=actor, action="iot.rule_deleted", obj=rule, community_id=community_id)
    rule.delete()


def export(community_id: int, rules) -> dict:
    """The JSON document `do_import_rules` reads; a profile is named, a device by its code."""
    out = []
    for rule in rules.select_related("profile", "device"):
        doc = snapshot(rule)
        doc["profile" if rule.profile_id else "device"] = (
            rule.profile.name if rule.profile_id else rule.device.code
        )
        out.append(doc)
    return {"version": 1, "rules": out}


@transaction.atomic
def do_import_rules(*, actor: Actor, community_id: int, document: dict, replace: bool = False) -> int:
    """Every rule checked before any is written; `replace` drops the community's rules first."""
    require(actor, Action.IOT_SETUP, community_id)
    rules = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(rules, list):
        raise ServiceError("invalid_rule", _("规则文件格式错误"), fields={"rules": ""})
    targets = []
    for i, doc in enumerate(rules):
        names = {k: doc.pop(k, None) for k in ("profile", "device")} if isinstance(doc, dict) else {}
        profile = Profile.objects.filter(community_id=community_id, name=names.get("profile")).first()
        device = Device.objects.filter(community_id=community_id, code=names.get("device")).first()
        if (profile is None) == (device is None):
            message = _("第%(n)s条规则的设备档案或设备不存在") % {"n": i + 1}
            raise ServiceError("invalid_rule", message, fields={f"rules.{i}.profile": message})
        targets.append({"profile": profile, "device": device})
    checked = _checked({"version": document.get("version"), "rules": rules}, validate_export)["rules"]
    if replace:
        Rule.objects.filter(community_id=community_id).delete()
    Rule.objects.bulk_create(
        Rule(community_id=community_id, **target, **{f: v for f, v in doc.items() if f in FIELDS})
        for target, doc in zip(targets, checked, strict=True)
    )
    audit.record(
        actor=actor,
        action="iot.rules_imported",
        object_type="iot.rule",
        object_id=str(len(checked)),
        community_id=community_id,
    )
    return len(checked)
