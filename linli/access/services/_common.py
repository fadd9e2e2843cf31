"""Helpers the access services share: the change log terminals sync from, and who to tell."""

from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from linli.access.choices import ChangeKind
from linli.access.models import ChangeLog
from linli.core.models import Membership
from linli.core.roles import ROLE_ACTIONS


def log_change(community_id: int, kind: str, ref_ids: Iterable[int | None] = (None,)) -> None:
    """Appends to the terminals' change log inside the caller's transaction: the new version
    exists exactly when the change committed."""
    ChangeLog.objects.bulk_create(ChangeLog(community_id=community_id, kind=kind, ref_id=r) for r in ref_ids)


def log_people(community_id: int, person_ids: Iterable[int]) -> None:
    ids = sorted(set(person_ids))
    if ids:
        log_change(community_id, ChangeKind.PERSON, ids)


def staff_user_ids(community_id: int, action: str) -> list[int]:
    """Users holding `action` in the community, e.g. the guards to tell about a security event."""
    roles = [role for role, actions in ROLE_ACTIONS.items() if action in actions]
    return list(
        Membership.objects.filter(community_id=community_id, role__in=roles)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate()))
        .values_list("user_id", flat=True)
        .distinct()
    )
