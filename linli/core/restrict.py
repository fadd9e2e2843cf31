"""`Model.objects.restrict(user, action)`: the only way a query reaches a user (netbox style).

Staff see what their memberships cover (whole community, or one building/grid: models without a
building path say what a building covers with `building_scope_q`); residents see what their active
occupancies cover, through the model's resident path or `resident_scope_q`. Everything else is
filtered out, so a detail lookup of someone else's object is a 404, not a 403. `own(user)` is the
resident half alone: a resident's screens show their home, whatever roles they also hold.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from linli.core.roles import RESIDENT_ACTIONS, role_allows


@dataclass(frozen=True)
class ScopePaths:
    community: str
    building: str | None = None
    resident: str | None = None  # path to a house id; else the model's resident_scope_q decides


@dataclass
class UserScope:
    is_operator: bool = False
    memberships: list = field(default_factory=list)  # (role, community_id, building_ids | None)
    person_ids: frozenset[int] = frozenset()
    house_ids: frozenset[int] = frozenset()
    resident_community_ids: frozenset[int] = frozenset()

    def communities_for(self, action: str) -> set[int]:
        return {c for role, c, b in self.memberships if b is None and role_allows(role, action)}

    def buildings_for(self, action: str) -> set[int]:
        found: set[int] = set()
        for role, _community, buildings in self.memberships:
            if buildings is not None and role_allows(role, action):
                found |= buildings
        return found

    def may_in_community(self, action: str, community_id: int) -> bool:
        """True when the actor holds `action` somewhere in the community (maybe narrowed)."""
        return self.is_operator or any(
            c == community_id and role_allows(role, action) for role, c, _b in self.memberships
        )

    def covers_community(self, action: str, community_id: int) -> bool:
        """True when `action` reaches the whole community, not only some of its buildings."""
        return self.is_operator or community_id in self.communities_for(action)

    def is_staff_somewhere(self) -> bool:
        return self.is_operator or bool(self.memberships)


def scope_of(user) -> UserScope:
    """Computed once per user object (one request), from memberships and occupancies."""
    if not getattr(user, "is_authenticated", False):
        return UserScope()
    cached = getattr(user, "_linli_scope", None)
    if cached is not None:
        return cached
    from linli.core.models import Membership
    from linli.registry.models import Occupancy, Person

    today = timezone.localdate()
    memberships = []
    rows = (
        Membership.objects.filter(user=user)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("grid")
        .prefetch_related("grid__buildings")
    )
    for m in rows:
        if m.grid is not None:
            buildings = {b.id for b in m.grid.buildings.all()}
        elif m.building_id:
            buildings = {m.building_id}
        else:
            buildings = None
        memberships.append((m.role, m.community_id, buildings))
    person_ids = frozenset(Person.objects.filter(user=user).values_list("id", flat=True))
    occupancies = Occupancy.objects.active(today).filter(person_id__in=person_ids)
    houses = set()
    communities = set()
    for house_id, community_id in occupancies.values_list("house_id", "house__building__community_id"):
        houses.add(house_id)
        communities.add(community_id)
    scope = UserScope(
        is_operator=bool(getattr(user, "is_operator", False)),
        memberships=memberships,
        person_ids=person_ids,
        house_ids=frozenset(houses),
        resident_community_ids=frozenset(communities),
    )
    user._linli_scope = scope
    return scope


def forget_scope(user) -> None:
    user.__dict__.pop("_linli_scope", None)


class RestrictedQuerySet(models.QuerySet):
    def own(self, user):
        """Only what the user's own homes cover (their houses and what hangs off them)."""
        scope = scope_of(user)
        if not scope.house_ids:
            return self.none()
        model: Any = self.model  # see restrict()
        paths: ScopePaths = model.scope_paths
        if paths.resident:
            return self.filter(**{f"{paths.resident}__in": scope.house_ids})
        return self.filter(model.resident_scope_q(scope))

    def restrict(self, user, action: str):
        scope = scope_of(user)
        if scope.is_operator:
            return self
        # Each restricted model declares `scope_paths`, and may add `*_scope_q` hooks.
        model: Any = self.model
        paths: ScopePaths = model.scope_paths
        q = Q(pk__in=[])
        communities = scope.communities_for(action)
        if communities:
            q |= Q(**{f"{paths.community}__in": communities})
        buildings = scope.buildings_for(action)
        if buildings and paths.building:
            q |= Q(**{f"{paths.building}__in": buildings})
        elif buildings and hasattr(model, "building_scope_q"):
            q |= model.building_scope_q(buildings)
        if action in RESIDENT_ACTIONS and scope.house_ids:
            if paths.resident:
                q |= Q(**{f"{paths.resident}__in": scope.house_ids})
            elif hasattr(model, "resident_scope_q"):
                q |= model.resident_scope_q(scope)
        return self.filter(q)
