"""A community's work-order setup: its settings, teams and handlers, categories with their SLAs,
and the price list of paid repairs. Set up by whoever holds `workorder.setup`."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, ServiceError
from linli.core.permissions import require
from linli.core.roles import Action
from linli.workorders.choices import Priority
from linli.workorders.models import Category, Handler, PriceItem, Settings, SlaPolicy, Team

# Deadlines a new category starts with (minutes): urgent work round the clock, the rest in
# working time; a community changes them per category in the console.
DEFAULT_SLAS = {
    Priority.URGENT: (15, 4 * 60, False),
    Priority.HIGH: (30, 8 * 60, True),
    Priority.NORMAL: (60, 2 * 8 * 60, True),
    Priority.LOW: (4 * 60, 5 * 8 * 60, True),
}


def settings_of(community_id: int) -> Settings:
    found = Settings.objects.filter(community_id=community_id).first()
    if found:
        return found
    try:
        with transaction.atomic():
            return Settings.objects.create(community_id=community_id)
    except IntegrityError:  # created by a concurrent first request
        return Settings.objects.get(community_id=community_id)


@transaction.atomic
def do_update_settings(*, actor: Actor, community_id: int, **values) -> Settings:
    require(actor, Action.WORKORDER_SETUP, community_id)
    current = settings_of(community_id)
    before = {k: getattr(current, k) for k in values}
    start, end = values.get("work_start", current.work_start), values.get("work_end", current.work_end)
    if start >= end:
        raise ServiceError(
            "invalid_hours", _("下班时间应晚于上班时间"), fields={"work_end": _("应晚于上班时间")}
        )
    for key, value in values.items():
        setattr(current, key, value)
    current.save()
    audit.record_change(
        actor=actor,
        obj=current,
        before=before,
        snapshot=lambda obj: {k: getattr(obj, k) for k in values},
        community_id=community_id,
    )
    return current


@transaction.atomic
def do_create_team(*, actor: Actor, community_id: int, name: str, kind: str, supervisor=None) -> Team:
    require(actor, Action.WORKORDER_SETUP, community_id)
    try:
        with transaction.atomic():
            team = Team.objects.create(
                community_id=community_id, name=name.strip(), kind=kind, supervisor=supervisor
            )
    except IntegrityError:
        raise Conflict("team_exists", _("已有同名班组"), fields={"name": name}) from None
    audit.record(actor=actor, action="workorder_team_created", obj=team, community_id=community_id)
    return team


@transaction.atomic
def do_add_handler(
    *, actor: Actor, team: Team, user, skills=(), grid=None, building=None, duty_weekdays: str = ""
) -> Handler:
    require(actor, Action.WORKORDER_SETUP, team.community_id)
    if not user.memberships.filter(community_id=team.community_id).exists():
        raise ServiceError("not_staff", _("该用户不是本小区的工作人员"), fields={"user": user.pk})
    if any(d not in "0123456" for d in duty_weekdays):
        raise ServiceError(
            "invalid_roster", _("排班应为0到6的星期数字"), fields={"duty_weekdays": _("应为0到6")}
        )
    handler, _created = Handler.objects.update_or_create(
        team=team,
        user=user,
        defaults={
            "community_id": team.community_id,
            "skills": Handler.join_skills(skills),
            "grid": grid,
            "building": building,
            "duty_weekdays": "".join(sorted(set(duty_weekdays))),
        },
    )
    audit.record(actor=actor, action="workorder_handler_set", obj=handler, community_id=team.community_id)
    return handler


@transaction.atomic
def do_set_duty(*, actor: Actor, on_duty: bool) -> int:
    """A handler starts or ends their shift (接单/休息) in every team they belong to."""
    return Handler.objects.filter(user=actor).update(on_duty=on_duty)


def new_category(community_id: int, **values) -> Category:
    """A category with the default SLAs, without a permission check: for `do_create_category`
    and for the system's own seeding (the default playbooks)."""
    try:
        with transaction.atomic():
            category = Category.objects.create(community_id=community_id, **values)
    except IntegrityError:
        raise Conflict(
            "category_exists", _("已有相同编码的类别"), fields={"code": values.get("code")}
        ) from None
    SlaPolicy.objects.bulk_create(
        SlaPolicy(category=category, priority=p, respond_minutes=r, resolve_minutes=s, working_time_only=w)
        for p, (r, s, w) in DEFAULT_SLAS.items()
    )
    return category


@transaction.atomic
def do_create_category(*, actor: Actor, community_id: int, **values) -> Category:
    require(actor, Action.WORKORDER_SETUP, community_id)
    team = values.get("default_team")
    if team is not None and team.community_id != community_id:
        raise ServiceError("team_required", _("请选择本小区的班组"), fields={"default_team": team.pk})
    category = new_category(community_id, **values)
    audit.record(actor=actor, action="workorder_category_created", obj=category, community_id=community_id)
    return category


@transaction.atomic
def do_set_sla(
    *,
    actor: Actor,
    category: Category,
    priority: str,
    respond_minutes: int,
    resolve_minutes: int,
    working_time_only: bool,
) -> SlaPolicy:
    require(actor, Action.WORKORDER_SETUP, category.community_id)
    if respond_minutes > resolve_minutes:
        raise ServiceError(
            "invalid_sla", _("响应时限不能长于解决时限"), fields={"respond_minutes": _("应不长于解决时限")}
        )
    policy, _created = SlaPolicy.objects.update_or_create(
        category=category,
        priority=priority,
        defaults={
            "respond_minutes": respond_minutes,
            "resolve_minutes": resolve_minutes,
            "working_time_only": working_time_only,
        },
    )
    audit.record(
        actor=actor,
        action="workorder_sla_set",
        obj=category,
        community_id=category.community_id,
        after={"priority": priority, "respond": respond_minutes, "resolve": resolve_minutes},
    )
    return policy


@transaction.atomic
def do_create_price(*, actor: Actor, community_id: int, name: str, unit: str, price_fen: int) -> PriceItem:
    require(actor, Action.WORKORDER_SETUP, community_id)
    item = PriceItem.objects.create(
        community_id=community_id, name=name.strip(), unit=unit.strip(), price_fen=price_fen
    )
    audit.record(actor=actor, action="workorder_price_created", obj=item, community_id=community_id)
    return item
