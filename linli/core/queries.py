"""Core reads: communities as the user may reach them (the start of every community-level page
and operation), the audit trail, the team's memberships."""

from collections.abc import Iterable, Mapping

from django.contrib.auth import get_user_model
from django.db.models import Q

from linli.core.models import AuditEntry, Community, Membership, PiiAccess
from linli.core.restrict import scope_of
from linli.core.roles import Action


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
