"""Care alerts (ACC-7) from access events, for consented care-tagged residents:
久未出 (not seen going out for N hours) and 久出未归 (went out and not back for N hours).

Presence comes from the direction of the points a person last passed (allowed events at
"in" or "out" points). A condition is identified by the moment it started (`condition_at`):
one open alert per rule, and never a second alert for the same condition — after an
acknowledgement, only a new exit (a new condition) can alert again. No alert storms.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.access.choices import AlertStatus, CareRuleKind, Direction
from linli.access.household import houses_of_person, member_user_ids
from linli.access.models import AccessEvent, CareAlert, CareRule
from linli.accounts.models import User
from linli.core import audit
from linli.core.errors import Conflict, Forbidden, ServiceError
from linli.core.models import Membership
from linli.core.permissions import may, require
from linli.core.roles import Action, Role
from linli.notify.services import notify
from linli.registry.models import CareTag, House, Person

MAX_HOURS = 24 * 14


def _active_tag(person_id: int) -> CareTag | None:
    return (
        CareTag.objects.filter(person_id=person_id, revoked_at__isnull=True)
        .select_related("emergency_contact")
        .first()
    )


@transaction.atomic
def do_set_care_rule(*, actor: User, person: Person, kind: str, hours: int) -> CareRule:
    """Replaces the person's rule of this kind. Requires a consented care tag (REG-6)."""
    require(actor, Action.CARE_CHANGE, person.community_id)
    if kind not in CareRuleKind.values:
        raise ServiceError("invalid_rule_kind", _("提醒规则类型不正确"), fields={"kind": kind})
    if not 1 <= hours <= MAX_HOURS:
        raise ServiceError("invalid_hours", _("小时数应为1到336"), fields={"hours": "1-336"})
    if _active_tag(person.pk) is None:
        raise ServiceError(
            "care_tag_required",
            _("请先为该居民登记关爱标签（需本人或监护人同意）"),
            fields={"person": person.pk},
        )
    CareRule.objects.filter(person=person, kind=kind, is_active=True).update(
        is_active=False, updated_at=timezone.now()
    )
    rule = CareRule.objects.create(
        community_id=person.community_id, person=person, kind=kind, hours=hours, created_by=actor
    )
    audit.record(
        actor=actor,
        action="create",
        obj=rule,
        community_id=person.community_id,
        after={"kind": kind, "hours": hours},
    )
    return rule


@transaction.atomic
def do_disable_care_rule(*, actor: User, rule: CareRule) -> CareRule:
    require(actor, Action.CARE_CHANGE, rule.community_id)
    if not CareRule.objects.filter(pk=rule.pk, is_active=True).update(
        is_active=False, updated_at=timezone.now()
    ):
        raise Conflict("already_disabled", _("该规则已停用"))
    rule.refresh_from_db()
    audit.record(actor=actor, action="disable", obj=rule, community_id=rule.community_id)
    return rule


def _last_passes(person_id: int) -> tuple[datetime | None, datetime | None]:
    seen = AccessEvent.objects.filter(person_id=person_id, allowed=True).aggregate(
        out=Max("at", filter=Q(direction=Direction.OUT)), back=Max("at", filter=Q(direction=Direction.IN))
    )
    return seen["out"], seen["back"]


def condition_start(rule: CareRule, now: datetime) -> datetime | None:
    """When the rule's condition began, if it holds for `hours` already at `now`."""
    last_out, last_in = _last_passes(rule.person_id)
    outside = last_out is not None and (last_in is None or last_out > last_in)
    if rule.kind == CareRuleKind.NOT_BACK:
        start = last_out if outside else None
    else:  # NO_EXIT: at home and no exit since the later of the last exit and the rule's start
        start = None if outside else max(filter(None, [last_out, rule.created_at]))
    if start is None or now - start < timedelta(hours=rule.hours):
        return None
    return start


def recipients(person: Person) -> list[int]:
    """The family (everyone else in the person's homes), the emergency contact, and the grid
    workers of the person's buildings."""
    house_ids = houses_of_person(person.pk)
    users = {u for h in house_ids for u in member_user_ids(h)}
    tag = _active_tag(person.pk)
    if tag and tag.emergency_contact and tag.emergency_contact.user_id:
        users.add(tag.emergency_contact.user_id)
    buildings = set(House.objects.filter(pk__in=house_ids).values_list("building_id", flat=True))
    grid_workers = (
        Membership.objects.filter(community_id=person.community_id, role=Role.GRID_WORKER)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate()))  # on duty today
        .filter(
            Q(grid__buildings__in=buildings)
            | Q(building__in=buildings)
            | Q(grid__isnull=True, building__isnull=True)
        )
    )
    users |= set(grid_workers.values_list("user_id", flat=True))
    users.discard(person.user_id)
    return sorted(users)


def _raise(rule: CareRule, start: datetime, now: datetime) -> CareAlert | None:
    try:
        with transaction.atomic():
            alert = CareAlert.objects.create(
                community_id=rule.community_id,
                rule=rule,
                person_id=rule.person_id,
                kind=rule.kind,
                condition_at=start,
                raised_at=now,
            )
            person = rule.person
            label = CareRuleKind(rule.kind).label
            local = timezone.localtime(start)
            notify(
                users=recipients(person),
                kind="access.care_alert",
                title=f"关爱提醒：{person.name}{label}",
                body=f"{person.name} 自 {local:%m月%d日 %H:%M} 起已超过 {rule.hours} 小时{label}，请尽快联系确认。",
                link=f"/access/care-alerts/{alert.pk}/",
                community_id=rule.community_id,
                channels=("inapp", "sms"),
            )
            audit.record(
                actor=None,
                action="raise",
                obj=alert,
                community_id=rule.community_id,
                after={"kind": rule.kind, "condition_at": start},
            )
            return alert
    except IntegrityError:
        return None  # already open, or this very condition was alerted (and acknowledged)


def evaluate_care_rules(now: datetime | None = None) -> int:
    """Run by the scheduler. Returns how many alerts were raised."""
    now = now or timezone.now()
    raised = 0
    consented = CareTag.objects.filter(revoked_at__isnull=True).values("person_id")
    rules = CareRule.objects.filter(is_active=True, person_id__in=consented, person__erased_at__isnull=True)
    for rule in rules.select_related("person"):
        start = condition_start(rule, now)
        if start is not None and not CareAlert.objects.filter(rule=rule, status=AlertStatus.OPEN).exists():
            raised += _raise(rule, start, now) is not None
    return raised


def may_acknowledge(actor: User, alert: CareAlert) -> bool:
    if may(actor, Action.CARE_VIEW, alert.community_id):
        return True
    return getattr(actor, "pk", None) in recipients(alert.person)


@transaction.atomic
def do_acknowledge_care_alert(*, actor: User, alert: CareAlert, note: str = "") -> CareAlert:
    if not may_acknowledge(actor, alert):
        raise Forbidden()
    now = timezone.now()
    if not CareAlert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN).update(
        status=AlertStatus.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=actor, note=(note or "")[:200]
    ):
        raise Conflict("already_acknowledged", _("该提醒已被确认"))
    alert.refresh_from_db()
    audit.record(
        actor=actor, action="acknowledge", obj=alert, community_id=alert.community_id, after={"note": note}
    )
    return alert
