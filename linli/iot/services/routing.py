"""Who answers an alarm (IOT-6): the staff responsible for its building — a role over the whole
community, over that building, or over a grid that covers it — preferring those on duty in the
work-order roster; each escalation adds the next level of managers."""

from django.db.models import Q
from django.utils import timezone

from linli.core.models import Membership
from linli.core.roles import Action, Role, role_allows
from linli.grid import queries as grid_queries
from linli.workorders import queries as workorder_queries

ESCALATION = (
    (),
    (Role.PROPERTY_MANAGER,),
    (Role.PROPERTY_MANAGER, Role.COMMUNITY_ADMIN),
)
OPERATING_ROLES = tuple(role for role in Role.values if role_allows(role, Action.IOT_OPERATE))


def _live(community_id: int):
    return Membership.objects.filter(community_id=community_id).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate())
    )


def operators(community_id: int, building_id: int | None) -> set[int]:
    """Everyone who may act on alarms of that building."""
    covering = Q(building__isnull=True, grid__isnull=True)
    if building_id is not None:
        covering |= Q(building_id=building_id) | Q(grid_id__in=grid_queries.grids_of_building(building_id))
    return set(
        _live(community_id).filter(covering, role__in=OPERATING_ROLES).values_list("user_id", flat=True)
    )


def responsible(community_id: int, building_id: int | None) -> set[int]:
    members = operators(community_id, building_id)
    on_duty = members & workorder_queries.on_duty_user_ids(community_id)
    return on_duty or members


def recipients(community_id: int, building_id: int | None, escalation: int) -> set[int]:
    users = responsible(community_id, building_id)
    roles = ESCALATION[min(escalation, len(ESCALATION) - 1)]
    if roles:
        users |= set(_live(community_id).filter(role__in=roles).values_list("user_id", flat=True))
    return users


def with_roles(community_id: int, roles: list[str]) -> set[int]:
    return set(_live(community_id).filter(role__in=roles).values_list("user_id", flat=True))
