"""Registry reads. Every one starts from restrict(user, action) (convention 3)."""

from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import Length
from django.utils import timezone

from linli.core.crypto import blind_index, normalize
from linli.core.restrict import Residency, scope_of
from linli.core.roles import Action
from linli.registry.choices import HouseType, Relation
from linli.registry.models import Building, CareTag, House, Occupancy, Person, Unit, Vehicle


def natural(field: str) -> list:
    """Natural order of names such as 1号楼 … 9号楼, 10号楼 (text order puts 10号楼 before 2号楼),
    on SQLite and PostgreSQL alike: shorter first, then by text. The names of one community follow
    one scheme and differ in how many digits they carry, so this is numeric order for them
    (2单元 < 10单元, A区2栋 < A区10栋) without a regex or a stored sort key."""
    return [Length(field).asc(nulls_first=True), F(field).asc(nulls_first=True)]


def house_order(prefix: str = "") -> list:
    """Houses by building, unit, floor and number, each name in natural order."""
    return [
        *natural(f"{prefix}building__name"),
        *natural(f"{prefix}unit__name"),
        f"{prefix}floor",
        *natural(f"{prefix}number"),
        f"{prefix}id",
    ]


def buildings(user, community_id: int):
    return (
        Building.objects.restrict(user, Action.PROPERTY_VIEW)
        .filter(community_id=community_id)
        .order_by(*natural("name"), "id")
    )


def units(user, building_id: int):
    return (
        Unit.objects.restrict(user, Action.PROPERTY_VIEW)
        .filter(building_id=building_id)
        .order_by(*natural("name"), "id")
    )


def houses(user):
    return House.objects.restrict(user, Action.PROPERTY_VIEW).select_related("building", "unit")


def house_with_household(user, house_id: int) -> House:
    """One house and its current household in three queries, however large the registry."""
    active = Occupancy.objects.active().select_related("person").order_by("relation", "id")
    return (
        houses(user)
        .prefetch_related(Prefetch("occupancies", queryset=active, to_attr="household"))
        .get(pk=house_id)
    )


def people(user):
    return Person.objects.restrict(user, Action.PEOPLE_VIEW).filter(erased_at__isnull=True)


def search_people(user, community_id: int, q: str):
    """Name prefix, or exact phone / ID number through the blind index."""
    base = people(user).filter(community_id=community_id)
    q = q.strip()
    digits = normalize("phone", q)
    # The blind index is near-unique: look it up first, then apply the scope to that handful of
    # rows, so the planner cannot choose to scan the whole community instead.
    if len(digits) == 11 and digits.startswith("1"):
        return base.filter(pk__in=Person.objects.filter(phone_bidx=blind_index("phone", digits)).values("pk"))
    if len(q) == 18 and q[:17].isdigit():
        return base.filter(
            pk__in=Person.objects.filter(id_number_bidx=blind_index("id_number", q)).values("pk")
        )
    # A range on the (community, name) index works the same on SQLite and PostgreSQL.
    return base.filter(name__gte=q, name__lt=q + "\U0010ffff")


def vehicles_by_plate(user, community_id: int, plate: str):
    return (
        Vehicle.objects.restrict(user, Action.PEOPLE_VIEW)
        .filter(community_id=community_id, plate_bidx=blind_index("plate", plate))
        .select_related("person", "house__building", "house__unit")
    )


def population(community_id: int, building_id: int | None = None) -> dict:
    """Real population: distinct people actually living here today (any relation).
    Floating population: those of them whose 户籍 is elsewhere. Aggregates only, no names."""
    living = Occupancy.objects.active(timezone.localdate()).filter(
        lives_here=True,
        house__community_id=community_id,
        house__type=HouseType.RESIDENTIAL,
        person__erased_at__isnull=True,
    )
    if building_id is not None:
        living = living.filter(house__building_id=building_id)
    # One pass over the living occupancies joined to their people: no IN (subquery), whose plan
    # depends on table statistics.
    return living.aggregate(
        real=Count("person_id", distinct=True),
        floating=Count("person_id", distinct=True, filter=Q(person__hukou_local=False)),
        tenants=Count("person_id", distinct=True, filter=Q(relation=Relation.TENANT)),
        households=Count("house_id", distinct=True),
    )


def population_by_building(community_id: int) -> list[dict]:
    living = Occupancy.objects.active().filter(
        lives_here=True,
        house__community_id=community_id,
        house__type=HouseType.RESIDENTIAL,
        person__erased_at__isnull=True,
    )
    rows = (
        living.values("house__building_id", "house__building__name")
        .annotate(
            real=Count("person_id", distinct=True),
            floating=Count("person_id", distinct=True, filter=Q(person__hukou_local=False)),
        )
        .order_by(*natural("house__building__name"), "house__building_id")
    )
    return [
        {
            "building_id": r["house__building_id"],
            "building": r["house__building__name"],
            "real": r["real"],
            "floating": r["floating"],
        }
        for r in rows
    ]


def buildings_any(user):
    return Building.objects.restrict(user, Action.PROPERTY_VIEW)


def units_any(user):
    return Unit.objects.restrict(user, Action.PROPERTY_VIEW).select_related("building")


def care_tags_visible(user):
    own = CareTag.objects.filter(person_id__in=scope_of(user).person_ids)
    return CareTag.objects.restrict(user, Action.CARE_VIEW) | own


def my_households(user) -> list[House]:
    scope = scope_of(user)
    active = Occupancy.objects.active().select_related("person").order_by("relation", "id")
    rows = list(
        House.objects.filter(pk__in=scope.house_ids)
        .select_related("building", "unit")
        .prefetch_related(Prefetch("occupancies", queryset=active, to_attr="household"))
        .order_by(*house_order())
    )
    for house in rows:
        house.my_relation = next(
            (o.relation for o in house.household if o.person_id in scope.person_ids), None
        )
    return rows


def my_vehicles(user):
    return Vehicle.objects.filter(person_id__in=scope_of(user).person_ids)


# --- what core's restrict() learns from the registry (registered in RegistryConfig.ready) -----


def residency_of(user, today) -> Residency:
    """The user's people in the registry and the houses (and their communities) they live in today."""
    person_ids = frozenset(Person.objects.filter(user=user).values_list("id", flat=True))
    occupancies = Occupancy.objects.active(today).filter(person_id__in=person_ids)
    houses = set()
    communities = set()
    for house_id, community_id in occupancies.values_list("house_id", "house__building__community_id"):
        houses.add(house_id)
        communities.add(community_id)
    return Residency(person_ids=person_ids, house_ids=frozenset(houses), community_ids=frozenset(communities))


def communities_of_buildings(building_ids):
    return Building.objects.filter(pk__in=building_ids).values("community_id")
