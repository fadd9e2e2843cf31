"""Who belongs to a house today, from the registry's occupancies (read-only helpers)."""

from linli.core.restrict import scope_of
from linli.registry.choices import OWNING, Relation
from linli.registry.models import Occupancy, Person

HEAD_RELATIONS = (*OWNING, Relation.TENANT)


def own_occupancy(actor, house_id: int, *, heads_only: bool = False) -> Occupancy | None:
    """The actor's own active occupancy of the house (a head's if heads_only)."""
    scope = scope_of(actor)
    if house_id not in scope.house_ids:
        return None
    rows = Occupancy.objects.active().filter(house_id=house_id, person_id__in=scope.person_ids)
    if heads_only:
        rows = rows.filter(relation__in=HEAD_RELATIONS)
    # An owner outranks a tenant outranks family: the strongest relation decides.
    rank = {Relation.OWNER: 0, Relation.CO_OWNER: 1, Relation.TENANT: 2, Relation.FAMILY: 3}
    return min(rows, key=lambda o: rank.get(o.relation, 9), default=None)


def lived_in(actor, house_id: int) -> bool:
    """The actor once had an occupancy of the house (it has ended since)."""
    return Occupancy.objects.filter(house_id=house_id, person_id__in=scope_of(actor).person_ids).exists()


def member_user_ids(house_id: int) -> list[int]:
    """Logins of everyone living in or owning the house today (for intercom and alerts)."""
    return list(
        Person.objects.filter(
            pk__in=Occupancy.objects.active().filter(house_id=house_id).values("person_id"),
            user__isnull=False,
            erased_at__isnull=True,
        )
        .values_list("user_id", flat=True)
        .distinct()
    )


def houses_of_person(person_id: int) -> list[int]:
    return list(Occupancy.objects.active().filter(person_id=person_id).values_list("house_id", flat=True))
