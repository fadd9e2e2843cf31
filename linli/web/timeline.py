"""Audit entries as a readable timeline: who did what to which object, and what changed."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.models import AuditEntry
from linli.web.queries import model_of

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


def _field_label(model, name: str) -> str:
    if model is None:
        return name
    for f in model._meta.concrete_fields:
        if f.attname == name:
            return str(f.verbose_name)
    return name


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return str(_("是"))
    if value is False:
        return str(_("否"))
    return str(value)


def describe(entry: AuditEntry) -> TimelineItem:
    model = model_of(entry.object_type)
    before, after = entry.before or {}, entry.after or {}
    changes = [
        Change(_field_label(model, key), _shown(before.get(key)), _shown(after.get(key)))
        for key in sorted(set(before) | set(after))
        if key not in _HIDDEN and before.get(key) != after.get(key)
    ]
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
