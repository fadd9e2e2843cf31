"""`Model.objects.restrict(user, action)`: the only way a query reaches a user (netbox style).

Staff see what their memberships cover (whole community, or one building/grid: models without a
building path say what a building covers with `building_scope_q`); residents see what their active
occupancies cover, through the model's resident path or `resident_scope_q`. Everything else is
filtered out, so a detail lookup of someone else's object is a 404, not a 403. `own(user)` is the
resident half alone: a resident's screens show their home, whatever roles they also hold.

Core imports no app above it. What only those apps know reaches it through registration at
start-up (their `AppConfig.ready`): a resident's people and houses (registry), the buildings
of a grid that narrows a membership (grid), the communities of buildings (registry).
See docs/decisions/0002-scope-registration.md.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, models
from django.db.models import Q
from django.utils import timezone

from linli.core import rawsql
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

    def sees(
        self, action: str, *, community_id: int, building_id: int | None = None, house_id: int | None = None
    ) -> bool:
        """`restrict(user, action)`'s rule for one row of a model whose scope paths are plain
        columns (community, building, house), for reads written by hand (linli.core.rawsql)."""
        if self.is_operator or community_id in self.communities_for(action):
            return True
        if building_id is not None and building_id in self.buildings_for(action):
            return True
        return action in RESIDENT_ACTIONS and house_id is not None and house_id in self.house_ids

    def is_staff_somewhere(self) -> bool:
        return self.is_operator or bool(self.memberships)


@dataclass(frozen=True)
class Residency:
    """Whom a user is in the registry, and the houses and communities where they live today."""

    person_ids: frozenset[int] = frozenset()
    house_ids: frozenset[int] = frozenset()
    community_ids: frozenset[int] = frozenset()


@dataclass
class ScopeProviders:
    """The registered answers; each app registers its own in `AppConfig.ready`."""

    residency: Callable[[object, date], Residency] | None = None
    # Membership column (e.g. "grid_id") -> resolver of its ids to {id: building ids}.
    narrowings: dict[str, Callable[[set[int]], dict[int, set[int]]]] = field(default_factory=dict)
    building_communities: Callable[[Iterable[int]], models.QuerySet] | None = None


providers = ScopeProviders()


def register_residency(provider: Callable[[object, date], Residency]) -> None:
    providers.residency = provider


def register_narrowing(column: str, resolver: Callable[[set[int]], dict[int, set[int]]]) -> None:
    """A membership column that narrows a role to a set of buildings (a grid, say)."""
    providers.narrowings[column] = resolver


def register_building_communities(provider: Callable[[Iterable[int]], models.QuerySet]) -> None:
    """A query of the community ids of the given buildings (a subquery for building-scoped staff)."""
    providers.building_communities = provider


def _narrowed_buildings(rows, columns: tuple[str, ...]) -> list[set[int] | None]:
    """Each membership's buildings: a narrowing column's (resolved by the app that registered
    it) first, then its own building, else None (the whole community). A narrowing column set
    on a row but without a registered resolver grants no building: it narrows, never widens."""
    resolved = {}
    for column in columns:
        ids = {v for m in rows if (v := getattr(m, column))}
        resolver = providers.narrowings.get(column)
        resolved[column] = resolver(ids) if ids and resolver else {}
    found: list[set[int] | None] = []
    for m in rows:
        narrowing = next((c for c in columns if getattr(m, c)), None)
        if narrowing is not None:
            found.append(resolved[narrowing].get(getattr(m, narrowing), set()))
        elif m.building_id:
            found.append({m.building_id})
        else:
            found.append(None)
    return found


def _live_memberships(membership: type[models.Model], user_id: int, today: date) -> list:
    """The user's memberships that have not lapsed, in hand-written SQL (linli.core.rawsql):
    every request of a signed-in user asks it first."""
    sql = f"""
        SELECT {rawsql.columns(membership, "m")} FROM {rawsql.table(membership)} m
        WHERE m.user_id = %s AND (m.valid_until IS NULL OR m.valid_until >= %s)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, today])
        return [rawsql.instance(membership, row) for row in cursor.fetchall()]


def scope_of(user) -> UserScope:
    """Computed once per user object (one request), from memberships and occupancies."""
    if not getattr(user, "is_authenticated", False):
        return UserScope()
    cached = getattr(user, "_linli_scope", None)
    if cached is not None:
        return cached
    from linli.core.models import Membership  # models.py imports this module for its managers

    today = timezone.localdate()
    rows = _live_memberships(Membership, user.pk, today)
    memberships = [
        (m.role, m.community_id, buildings)
        for m, buildings in zip(rows, _narrowed_buildings(rows, Membership.NARROWING_COLUMNS), strict=True)
    ]
    residency = providers.residency(user, today) if providers.residency else Residency()
    scope = UserScope(
        is_operator=bool(getattr(user, "is_operator", False)),
        memberships=memberships,
        person_ids=residency.person_ids,
        house_ids=residency.house_ids,
        resident_community_ids=residency.community_ids,
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
