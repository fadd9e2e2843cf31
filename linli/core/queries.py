"""Core reads: communities as the user may reach them (the start of every community-level page
and operation), the audit trail, the team's memberships."""

from collections.abc import Iterable, Mapping

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from linli.core.models import AuditEntry, Community, Membership, PiiAccess
from linli.core.restrict import scope_of
from linli.core.roles import ROLE_ACTIONS, Action


def communities(user, action: str):
    return Community.objects.restrict(user, action)


def staff_community_ids(user) -> frozenset[int]:
    """The communities where the user holds a role, whatever its scope (one building is enough)."""
    return frozenset(community_id for _role, community_id, _b in scope_of(user).memberships)


def staff_communities(user):
    """The communities the console offers: where the user holds a role, or all for an operator."""
    if scope_of(user).is_operator:
        return communities(user, Action.PROPERTY_VIEW)
    return Community.objects.filter(pk__in=staff_community_ids(user))


def any_community():
    """Every community, for what is public by design (a community's public keys)."""
    return Community.objects.all()


def audit_entries(user):
    return AuditEntry.objects.restrict(user, Action.AUDIT_VIEW)


def object_history(user, community_id: int, objects: Mapping[str, Iterable[int]]) -> list[AuditEntry]:
    """Every audit entry about these objects ({"registry.house": [id], ...}), newest first."""
    match = Q(pk__in=[])
    for object_type, ids in objects.items():
        match |= Q(object_type=object_type, object_id__in=[str(i) for i in ids])
    return list(audit_entries(user).filter(community_id=community_id).filter(match).order_by("-id")[:100])


def pii_accesses(user):
    return PiiAccess.objects.restrict(user, Action.AUDIT_VIEW)


def memberships(user):
    return Membership.objects.restrict(user, Action.MEMBERS_CHANGE)


def active_users():
    """Accounts that may be given a role (the caller holds members.change in the community)."""
    return get_user_model().objects.filter(is_active=True)


def staff_user_ids(community_id: int, action: str, *, narrowed: bool = True) -> list[int]:
    """Users holding `action` in the community through a live role, e.g. the guards to tell about
    a security event. `narrowed=False` leaves out roles narrowed to a building or a grid: for
    what only the whole community's holders may do (deciding an appeal)."""
    roles = [role for role, actions in ROLE_ACTIONS.items() if action in actions]
    found = Membership.objects.filter(community_id=community_id, role__in=roles).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate())
    )
    if not narrowed:
        found = found.filter(building__isnull=True, grid__isnull=True)
    return list(found.values_list("user_id", flat=True).distinct())
