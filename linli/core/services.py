"""Writes on tenancy: who holds which role where."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, ServiceError
from linli.core.models import Community, Membership
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
