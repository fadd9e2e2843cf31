"""Which grants reach a point and what they say now: the rules of a door decision, read-only.

Shared by the decision service (`linli.access.services.decisions`), face identification
(`linli.access.faces`), vehicles and the terminals' offline snapshot, so none of them has to
import another to judge a grant.
"""

from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from linli.access import rights, schedule
from linli.access.choices import OCCUPANCY_SOURCES, GrantSource, Reason
from linli.access.decide import sql
from linli.access.models import Grant
from linli.core.models import Membership
from linli.registry.models import Occupancy

# When a person holds several grants at a point, the most favourable outcome is reported.
_RANK: dict[str, int] = {
    Reason.GRANTED: 0,
    Reason.OUTSIDE_SCHEDULE: 1,
    Reason.GRANT_NOT_YET_VALID: 2,
    Reason.GRANT_EXPIRED: 3,
    Reason.SOURCE_ENDED: 4,
    Reason.HELPER_HOST_LEFT: 5,
    Reason.NO_GRANT: 6,
}


def grants_at_point(point_id: int, today):
    """Live grants reaching a point, each annotated with whether its registry source (occupancy
    or membership) is still active today. Shared by decisions and terminal snapshots."""
    occupancy_active = Occupancy.objects.filter(
        pk=OuterRef("source_id"), ended_at__isnull=True, valid_from__lte=today
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    membership_active = Membership.objects.filter(pk=OuterRef("source_id")).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    return Grant.objects.filter(revoked_at__isnull=True, zone__points=point_id).annotate(
        occupancy_ok=Exists(occupancy_active), membership_ok=Exists(membership_active)
    )


def source_ok(source: str, occupancy_ok: bool, membership_ok: bool) -> bool:
    if source in OCCUPANCY_SOURCES:
        return occupancy_ok
    if source == GrantSource.STAFF_ROLE:
        return membership_ok
    return True


def judge(source, valid_from, valid_until, sched, occupancy_ok, membership_ok, now: datetime) -> str:
    ended = not source_ok(source, occupancy_ok, membership_ok)
    if ended and source == GrantSource.HOUSEHOLD:
        # A helper's grant is capped at the giver's lease: when that lease runs out the grant
        # "expires" at the same instant, but the helper must hear that the household left.
        return rights.ended_reason_of_grant(source)
    if valid_until is not None and valid_until <= now:
        return Reason.GRANT_EXPIRED  # a lease that ran out says so, rather than "source ended"
    if valid_from > now:
        return Reason.GRANT_NOT_YET_VALID
    if ended:
        return rights.ended_reason_of_grant(source)
    if not schedule.allows(sched, now):
        return Reason.OUTSIDE_SCHEDULE
    return Reason.GRANTED


def evaluate_people(person_ids, point_id: int, now: datetime) -> tuple[str, int | None, str]:
    """(reason, person id, name) of the best outcome among these people at the point."""
    best: tuple[str, int | None, str] = (Reason.NO_GRANT, None, "")
    rows = sql.grant_rows(list(person_ids), point_id, timezone.localdate(now))
    for person_id, name, source, valid_from, valid_until, sched, occ_ok, mem_ok in rows:
        reason = judge(source, valid_from, valid_until, sched, occ_ok, mem_ok, now)
        if _RANK[reason] < _RANK[best[0]]:
            best = (reason, person_id, name)
    if best[0] == Reason.NO_GRANT:
        best = ended_grant(person_ids, point_id, now) or best  # denials only: allowed pays nothing
    return best


def ended_grant(person_ids, point_id: int, now: datetime) -> tuple[str, int, str] | None:
    """Once the registry sync has revoked a grant whose source ended, the decision still says
    why (for ENDED_MEMORY), rather than a bare "no grant"."""
    row = (
        Grant.objects.filter(
            person_id__in=list(person_ids),
            zone__points=point_id,
            revoked_at__gte=now - rights.ENDED_MEMORY,
            revoke_reason__in=list(rights.ENDED_REVOKES),
        )
        .order_by("-revoked_at")
        .values_list("source", "person_id", "person__name")
        .first()
    )
    if row is None:
        return None
    source, person_id, name = row
    return rights.ended_reason_of_grant(source), person_id, name
