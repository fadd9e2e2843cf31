"""When a right ends with its source (REG-3, ACC-3).

Every right someone holds or hands out hangs on a source: a resident's own grants, cards,
PINs, face and car on their occupancy (or a staff member's on their membership); a visitor
pass on its host's occupancy of the house (or, for a pass registered by staff, on the
issuer's membership); a helper's grant on the occupancy of the head who gave it; an intercom
answer on the answerer living in the called house.

Correctness never waits for a job: each decision checks its source in the same statement
(the expressions below), so a lease that ran out at midnight refuses at 00:00 with no one
acting; terminal snapshots compute it too. `end_rights` (a scheduler job, every 30 s) then
materialises what ended — revoked_at plus a reason, audited, and a change-log entry — for lists
and audit; registry-derived grants are revoked by the registry consumer (grants.py).

Later apps add their own kinds with `register(RightKind(...))`: a reason code and a function
that materialises the ended rights of that kind.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When

from linli.access.choices import GrantSource, Reason
from linli.core.models import Membership
from linli.core.roles import ROLE_ACTIONS, Action
from linli.registry.models import Occupancy

# The revoke_reason values the registry sync writes on a grant whose source ended (lease,
# residence, role, the giver of a helper's grant); the reason shown then follows the grant's
# source (ended_reason_of_grant).
ENDED_REVOKES = ("source_ended", "role_ended", "giver_moved_out")
# How long after a right was revoked for its source ending a decision still names that reason
# (and snapshots still carry it), instead of "unknown" / "no grant".
ENDED_MEMORY = timedelta(days=30)
# Reasons that mean "the source of this right has ended" (not "it expired on its own").
ENDED_REASONS = frozenset(
    {
        Reason.SOURCE_ENDED,
        Reason.HELPER_HOST_LEFT,
        Reason.PASS_HOST_LEFT,
        Reason.PASS_ISSUER_LEFT,
        Reason.VEHICLE_OWNER_LEFT,
    }
)


def ended_reason_of_grant(source: str) -> str:
    """The reason a grant whose source ended is refused with: a helper's says the household
    that let them in has left; a person's own grant that their residence or role ended."""
    return Reason.HELPER_HOST_LEFT if source == GrantSource.HOUSEHOLD else Reason.SOURCE_ENDED


# --- visitor passes ----------------------------------------------------------------------------

VISITOR_ROLES = tuple(role for role, actions in ROLE_ACTIONS.items() if Action.VISITOR_REGISTER in actions)


def host_lives_there(today: date) -> Exists:
    """The pass's host still has an active occupancy of the pass's house today."""
    return Exists(
        Occupancy.objects.active(today).filter(person_id=OuterRef("host_id"), house_id=OuterRef("house_id"))
    )


def issuer_on_duty(today: date) -> Q:
    """The staff member who registered a pass without a host still holds a role that may (or
    is still an active platform operator, who may act in every community)."""
    role = Membership.objects.filter(
        user_id=OuterRef("created_by_id"), community_id=OuterRef("community_id"), role__in=VISITOR_ROLES
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    operator = get_user_model().objects.filter(pk=OuterRef("created_by_id"), is_operator=True, is_active=True)
    return Q(Exists(role)) | Q(Exists(operator))


def pass_source_live(today: date) -> Q:
    """For filters and conditional updates on VisitorPass: its source is still there."""
    hosted = Q(host__isnull=False) & Q(host_lives_there(today))
    registered = Q(host__isnull=True) & issuer_on_duty(today)
    return hosted | registered


def pass_ended(today: date) -> Case:
    """Annotation: the reason a pass's source ended today, or "" while it lasts."""
    return Case(
        When(Q(host__isnull=True) & ~issuer_on_duty(today), then=Value(Reason.PASS_ISSUER_LEFT.value)),
        When(Q(host__isnull=False) & ~Q(host_lives_there(today)), then=Value(Reason.PASS_HOST_LEFT.value)),
        default=Value(""),
        output_field=CharField(),
    )


# --- the registry of kinds ---------------------------------------------------------------------


@dataclass(frozen=True)
class RightKind:
    """A kind of right that ends with its source. `materialise(now)` revokes the rights of
    this kind whose source has ended by `now` (idempotent), tells terminals through the change
    log if they care, and returns how many it revoked."""

    name: str
    reason: str
    materialise: Callable[[datetime], int]


_KINDS: dict[str, RightKind] = {}


def register(kind: RightKind) -> RightKind:
    _KINDS[kind.name] = kind
    return kind


def kinds() -> list[RightKind]:
    return list(_KINDS.values())


def end_rights(now: datetime) -> dict[str, int]:
    """Materialises every registered kind's ended rights; {kind: revoked count}."""
    return {kind.name: kind.materialise(now) for kind in kinds()}
