"""Core's writes: tenancy (who holds which role where), and retention of the tables that only
grow (the scheduler's)."""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, ServiceError
from linli.core.models import Community, Membership
from linli.core.partitions import drop_months_before
from linli.core.permissions import require
from linli.core.restrict import forget_scope
from linli.core.roles import Action, Role


@transaction.atomic
def do_add_membership(
    *,
    actor: Actor,
    community: Community,
    user,
    role: str,
    building=None,
    grid=None,
    valid_until: date | None = None,
) -> Membership:
    require(actor, Action.MEMBERS_CHANGE, community.id)
    if role not in Role.values:
        raise ServiceError("invalid_role", _("角色不正确"), fields={"role": role})
    for scoped in (building, grid):
        if scoped is not None and scoped.community_id != community.id:
            raise ServiceError("cross_community", _("楼栋或网格不属于该社区"))
    if Membership.objects.filter(
        user=user, community=community, role=role, building=building, grid=grid
    ).exists():
        raise Conflict("duplicate_membership", _("该岗位已存在"))
    membership = Membership.objects.create(
        user=user,
        community=community,
        role=role,
        building=building,
        grid=grid,
        valid_until=valid_until,
    )
    forget_scope(user)
    audit.record(
        actor=actor,
        action="create",
        obj=membership,
        community_id=community.id,
        after={
            "user": user.pk,
            "role": role,
            "building": getattr(building, "pk", None),
            "grid": getattr(grid, "pk", None),
            "valid_until": valid_until,
        },
    )
    return membership


@transaction.atomic
def do_end_membership(*, actor: Actor, membership: Membership) -> None:
    """A role ending takes effect at once: the next request sees no rights from it."""
    require(actor, Action.MEMBERS_CHANGE, membership.community_id)
    yesterday = timezone.localdate() - timedelta(days=1)
    Membership.objects.filter(pk=membership.pk).update(valid_until=yesterday, updated_at=timezone.now())
    audit.record(
        actor=actor,
        action="end",
        obj=membership,
        community_id=membership.community_id,
        after={"valid_until": yesterday},
    )


def expire_before(model: type[Model], column: str, cutoff: datetime, batch: int = 20_000) -> int:
    """Retention: the months wholly before `cutoff` are dropped (PostgreSQL), then what is left
    before it is deleted in batches (the month the cutoff falls in and stray rows of the default
    partition; on SQLite, everything). Returns the rows deleted one by one."""
    drop_months_before(model, cutoff)
    deleted = 0
    while True:
        ids = list(
            model._default_manager.filter(**{f"{column}__lt": cutoff}).values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return deleted
        deleted += model._default_manager.filter(pk__in=ids).delete()[0]
