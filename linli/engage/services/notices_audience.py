"""Whom a notice reaches: the households of its area and audience, and the accounts living there,
read from the registry's occupancies of today. A care group is the households of people with a
live care tag of that kind: tags are only ever recorded with consent and end when revoked."""

from dataclasses import dataclass

from linli.engage.choices_notices import Audience
from linli.registry.choices import OWNING, Relation
from linli.registry.models import Occupancy


@dataclass(frozen=True)
class Target:
    community_id: int
    building_id: int | None
    unit_id: int | None
    audience: str
    care_kind: str = ""


@dataclass
class Reach:
    houses: dict[int, int]  # house id -> building id
    users: dict[int, int]  # user id -> the first house id it was reached through


def _occupancies(target: Target):
    found = Occupancy.objects.active().filter(house__community_id=target.community_id)
    if target.unit_id is not None:
        found = found.filter(house__unit_id=target.unit_id)
    elif target.building_id is not None:
        found = found.filter(house__building_id=target.building_id)
    if target.audience == Audience.OWNERS:
        found = found.filter(relation__in=OWNING)
    elif target.audience == Audience.TENANTS:
        found = found.filter(relation=Relation.TENANT)
    elif target.audience == Audience.CARE:
        cared = found.filter(
            person__care_tags__kind=target.care_kind,
            person__care_tags__community_id=target.community_id,
            person__care_tags__revoked_at__isnull=True,
        )
        found = found.filter(house_id__in=cared.values("house_id"))
    return found


def reach(target: Target) -> Reach:
    houses: dict[int, int] = {}
    users: dict[int, int] = {}
    rows = (
        _occupancies(target)
        .order_by("house_id")
        .values_list("house_id", "house__building_id", "person__user_id")
    )
    for house_id, building_id, user_id in rows.iterator(chunk_size=5000):
        houses[house_id] = building_id
        if user_id is not None:
            users.setdefault(user_id, house_id)
    return Reach(houses=houses, users=users)


def count(target: Target) -> dict[str, int]:
    """How many households and accounts a target reaches today (the composer's preview)."""
    found = reach(target)
    return {"households": len(found.houses), "accounts": len(found.users)}
