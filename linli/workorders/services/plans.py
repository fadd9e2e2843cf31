"""Preventive maintenance plans: a work order of a maintenance category every N days (the
monthly fire-extinguisher check, the quarterly pump service).

The hourly job opens the order of a plan that is due and moves its `next_due` on by a
conditional update on the old date: with two schedulers only the one whose update wins opens
the order, so there is exactly one order per due date. A plan that fell behind (the scheduler
was down) opens one order and moves to its next date after today.
"""

import logging
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, ServiceError
from linli.core.permissions import require
from linli.core.roles import Action
from linli.registry import queries as registry_queries
from linli.workorders.choices import Kind, Source
from linli.workorders.models import Category, MaintenancePlan
from linli.workorders.services import intake

log = logging.getLogger(__name__)


@transaction.atomic
def do_create_plan(
    *,
    actor: Actor,
    community_id: int,
    name: str,
    category: Category,
    every_days: int,
    next_due: date,
    building_id: int | None = None,
    description: str = "",
) -> MaintenancePlan:
    require(actor, Action.WORKORDER_SETUP, community_id)
    if category.community_id != community_id or category.kind != Kind.MAINTENANCE:
        raise ServiceError(
            "not_maintenance", _("请选择计划维保类别"), fields={"category_id": _("应为计划维保类别")}
        )
    if building_id is not None and not registry_queries.building_in(community_id, building_id):
        raise ServiceError("unknown_building", _("楼栋不存在"), fields={"building_id": building_id})
    if every_days < 1:
        raise ServiceError("invalid_period", _("周期至少1天"), fields={"every_days": every_days})
    plan = MaintenancePlan.objects.create(
        community_id=community_id,
        name=name.strip(),
        category=category,
        building_id=building_id,
        every_days=every_days,
        next_due=next_due,
        description=description.strip(),
    )
    audit.record(actor=actor, action="workorder_plan_created", obj=plan, community_id=community_id)
    return plan


@transaction.atomic
def do_deactivate_plan(*, actor: Actor, plan: MaintenancePlan) -> MaintenancePlan:
    require(actor, Action.WORKORDER_SETUP, plan.community_id, plan.building_id)
    if not MaintenancePlan.objects.filter(pk=plan.pk, active=True).update(active=False):
        raise Conflict("plan_inactive", _("该计划已停用"))
    audit.record(actor=actor, action="workorder_plan_deactivated", obj=plan, community_id=plan.community_id)
    plan.refresh_from_db()
    return plan


def next_after(due: date, every_days: int, today: date) -> date:
    """The plan's first due date after `today`, counted from `due` in steps of its period."""
    steps = (today - due).days // every_days + 1
    return due + timedelta(days=every_days * steps)


def open_due(now: datetime) -> int:
    """Opens the order of every plan due today or earlier; returns how many this call opened."""
    today = timezone.localdate(now)
    opened = 0
    for plan in MaintenancePlan.objects.filter(active=True, next_due__lte=today).select_related("category"):
        try:
            opened += _open(plan, today)
        except ServiceError:  # e.g. its building was removed: the other plans still run
            log.exception("maintenance plan %s could not open its order", plan.pk)
    return opened


@transaction.atomic
def _open(plan: MaintenancePlan, today: date) -> int:
    moved = MaintenancePlan.objects.filter(pk=plan.pk, active=True, next_due=plan.next_due).update(
        next_due=next_after(plan.next_due, plan.every_days, today)
    )
    if not moved:
        return 0  # another scheduler took this due date
    intake.open_request(
        actor=None,
        community_id=plan.community_id,
        category=plan.category,
        description=_("计划维保：%(name)s（%(due)s）%(text)s")
        % {"name": plan.name, "due": plan.next_due.isoformat(), "text": plan.description},
        source=Source.SCHEDULE,
        building_id=plan.building_id,
    )
    return 1
