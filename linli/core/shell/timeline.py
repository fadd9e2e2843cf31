"""Audit entries as a readable timeline: who did what to which object, and what changed."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core import queries as core_queries
from linli.core.models import AuditEntry
from linli.core.roles import Action
from linli.core.shell.common import Console

ACTION_LABELS = {
    "create": pgettext_lazy("audit action", "新建"),
    "update": pgettext_lazy("audit action", "修改"),
    "end": pgettext_lazy("audit action", "结束"),
    "erase": pgettext_lazy("audit action", "删除个人信息"),
    "revoke": pgettext_lazy("audit action", "撤销"),
    "delete": pgettext_lazy("audit action", "删除"),
    "import": pgettext_lazy("audit action", "导入"),
    "link_login": pgettext_lazy("audit action", "关联登录账号"),
    "sign_in": pgettext_lazy("audit action", "登录"),
}
# Bookkeeping fields that say nothing to a reader of the timeline.
_HIDDEN = {
    "community_id",
    "building_id",
    "unit_id",
    "house_id",
    "person_id",
    "registered_by_id",
    "sponsor_id",
}


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class TimelineItem:
    at: datetime
    actor: str
    on_behalf_of: str
    what: str  # 修改房屋 / updated House
    object_id: str
    changes: list[Change] = field(default_factory=list)


# Fields whose models leave the label to Django's default ("end reason").
_LABELS = {"end_reason": _("结束原因"), "ended_at": _("结束时间")}


def _model_field(model, name: str):
    if model is None:
        return None
    return next((f for f in model._meta.concrete_fields if f.attname == name), None)


def _label(model_field, name: str) -> str:
    if name in _LABELS:
        return str(_LABELS[name])
    return str(model_field.verbose_name) if model_field is not None else name


def _shown(model_field, value) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return str(_("是"))
    if value is False:
        return str(_("否"))
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


def _changes(model, before: dict, after: dict) -> list[Change]:
    changes = []
    for key in sorted(set(before) | set(after)):
        if key in _HIDDEN:
            continue
        model_field = _model_field(model, key)
        old, new = _shown(model_field, before.get(key)), _shown(model_field, after.get(key))
        if old != new:
            changes.append(Change(_label(model_field, key), old, new))
    return changes


def model_of(object_type: str):
    """The model an audit entry names ("registry.house"); None for a type no longer installed."""
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def describe(entry: AuditEntry) -> TimelineItem:
    model = model_of(entry.object_type)
    changes = _changes(model, entry.before or {}, entry.after or {})
    return TimelineItem(
        at=entry.at,
        actor=entry.actor_label,
        on_behalf_of=entry.on_behalf_of,
        what=_("%(action)s%(subject)s")
        % {
            "action": ACTION_LABELS.get(entry.action, entry.action),
            "subject": model._meta.verbose_name if model is not None else entry.object_type,
        },
        object_id=entry.object_id,
        changes=changes,
    )


def history(user, console: Console, objects: Mapping[str, Iterable[int]]) -> list[TimelineItem]:
    """The timeline of these objects ({"registry.house": ids, ...}; ids may be a lazy queryset)
    on a console page: empty, and not queried, for a user who may not read the audit trail."""
    if not console.may(Action.AUDIT_VIEW):
        return []
    return [describe(e) for e in core_queries.object_history(user, console.community.id, objects)]
