"""Registry reads. Every one starts from restrict(user, action) (convention 3)."""

import itertools
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import Length
from django.utils import timezone

from linli.core import rawsql
from linli.core.crypto import blind_index, normalize
from linli.core.masking import mask_name
from linli.core.restrict import Residency, scope_of
from linli.core.roles import Action
from linli.core.schema_types import INT64_MAX
from linli.registry.choices import HouseType, OrgKind, Relation
from linli.registry.models import (
    Building,
    CareTag,
    House,
    Occupancy,
    Organization,
    ParkingSpace,
    Person,
    Unit,
    Vehicle,
)
from linli.registry.sql import active_occupancy


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


def households(house_ids) -> list[House]:
    """Houses (with building and unit) and their current households (`household`: occupancies
    with their person, by relation then id), in one statement of hand-written SQL
    (linli.core.rawsql), in `house_order()`'s order. No scope check: the callers below decide
    which ids may be read. The ORM references are in registry/tests/test_house_read.py."""
    house_ids = list(house_ids)
    if not house_ids:
        return []
    today = timezone.localdate()
    active, days = active_occupancy("o")
    sql = f"""
        SELECT {rawsql.columns(House, "h")}, {rawsql.columns(Building, "b")}, {rawsql.columns(Unit, "u")},
               {rawsql.columns(Occupancy, "o")}, {rawsql.columns(Person, "p")}
        FROM {rawsql.table(House)} h
        JOIN {rawsql.table(Building)} b ON b.id = h.building_id
        JOIN {rawsql.table(Unit)} u ON u.id = h.unit_id
        LEFT JOIN {rawsql.table(Occupancy)} o ON o.house_id = h.id AND {active}
        LEFT JOIN {rawsql.table(Person)} p ON p.id = o.person_id
        WHERE h.id IN ({", ".join(["%s"] * len(house_ids))})
        ORDER BY LENGTH(b.name), b.name, LENGTH(u.name), u.name, h.floor, LENGTH(h.number), h.number,
                 h.id, o.relation, o.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*([today] * days), *house_ids])
        rows = cursor.fetchall()
    ends = list(itertools.accumulate(rawsql.width(m) for m in (House, Building, Unit, Occupancy, Person)))
    found: dict[int, House] = {}
    for row in rows:
        house = found.get(row[0])
        if house is None:
            house = found[row[0]] = rawsql.instance(House, row[: ends[0]])
            house.building = rawsql.instance(Building, row[ends[0] : ends[1]])
            house.unit = rawsql.instance(Unit, row[ends[1] : ends[2]])
            house.household = []  # type: ignore[attr-defined]  # as the references' to_attr
        if row[ends[2]] is not None:  # somebody lives there today
            occupancy = rawsql.instance(Occupancy, row[ends[2] : ends[3]])
            occupancy.person = rawsql.instance(Person, row[ends[3] : ends[4]])
            house.household.append(occupancy)  # type: ignore[attr-defined]
    return list(found.values())  # in the statement's order: house_order() by the database's collation


def house_with_household(user, house_id: int) -> House:
    """One house with its household (see `households`), if the user may see it: a resident's
    home screen asks it on every visit."""
    if not 0 < house_id <= INT64_MAX:  # beyond any id: the ORM would say none, raw SQL overflows
        raise House.DoesNotExist
    found = households([house_id])
    if not found or not scope_of(user).sees(
        Action.PROPERTY_VIEW,
        community_id=found[0].community_id,
        building_id=found[0].building_id,
        house_id=house_id,
    ):
        raise House.DoesNotExist
    return found[0]


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


def population(community_id: int, building_ids=None) -> dict:
    """Real population: distinct people actually living here today (any relation).
    Floating population: those of them whose 户籍 is elsewhere. Aggregates only, no names.
    `building_ids` narrows it to some buildings (None: the whole community)."""
    # One pass over the living occupancies joined to their people: no IN (subquery), whose plan
    # depends on table statistics.
    return _living(community_id, building_ids).aggregate(**POPULATION)


def population_of(community_ids) -> dict[int, dict]:
    """population() of several whole communities in one grouped read: {community id: {real,
    floating, tenants, households}}."""
    found = {c: dict.fromkeys(POPULATION, 0) for c in community_ids}
    rows = _living(list(found)).values("house__community_id").annotate(**POPULATION).order_by()
    for row in rows:
        found[row.pop("house__community_id")] = row
    return found


POPULATION = {
    "real": Count("person_id", distinct=True),
    "floating": Count("person_id", distinct=True, filter=Q(person__hukou_local=False)),
    "tenants": Count("person_id", distinct=True, filter=Q(relation=Relation.TENANT)),
    "households": Count("house_id", distinct=True),
}


def population_by_building(community_id: int, building_ids=None) -> list[dict]:
    rows = (
        _living(community_id, building_ids)
        .values("house__building_id", "house__building__name")
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


def _living(community_id: int | list[int], building_ids=None):
    """The occupancies of people living in the community's (or communities') homes today."""
    among = (
        {"house__community_id__in": community_id}
        if isinstance(community_id, list)
        else {"house__community_id": community_id}
    )
    living = Occupancy.objects.active(timezone.localdate()).filter(
        **among,
        lives_here=True,
        house__type=HouseType.RESIDENTIAL,
        person__erased_at__isnull=True,
    )
    return living if building_ids is None else living.filter(house__building_id__in=building_ids)


def statistics_buildings(user, community_id: int) -> list[int] | None:
    """The buildings whose statistics the user may see: None when their role covers the whole
    community (so its figures keep their plain plan), else the ones they are narrowed to."""
    if scope_of(user).covers_community(Action.STATS_VIEW, community_id):
        return None
    visible = Building.objects.restrict(user, Action.STATS_VIEW).filter(community_id=community_id)
    return list(visible.values_list("id", flat=True))


def population_seen_by(user, community_id: int) -> tuple[dict, list[dict]]:
    """The population figures (totals, by building) of the part of the community the user sees."""
    buildings = statistics_buildings(user, community_id)
    return population(community_id, buildings), population_by_building(community_id, buildings)


def occupancies(user):
    return Occupancy.objects.restrict(user, Action.PEOPLE_VIEW)


def occupancies_of(house: House):
    """Every occupancy of a house the caller already reached through houses(user)."""
    return Occupancy.objects.filter(house=house)


def vehicles(user):
    return Vehicle.objects.restrict(user, Action.PEOPLE_VIEW)


def parking_spaces(user):
    return ParkingSpace.objects.restrict(user, Action.PROPERTY_VIEW)


def organizations(user):
    return Organization.objects.restrict(user, Action.PROPERTY_VIEW)


def care_tags(user):
    return CareTag.objects.restrict(user, Action.CARE_VIEW)


def buildings_any(user):
    return Building.objects.restrict(user, Action.PROPERTY_VIEW)


def units_any(user):
    return Unit.objects.restrict(user, Action.PROPERTY_VIEW).select_related("building")


def care_tags_visible(user):
    own = CareTag.objects.filter(person_id__in=scope_of(user).person_ids)
    return care_tags(user) | own


def care_tagged_people(user, community_id: int):
    """The people of a community with a live care tag whom the user may care for: all of them
    for community-wide care roles, those living in their buildings for a grid worker."""
    tagged = CareTag.objects.restrict(user, Action.CARE_VIEW).filter(
        community_id=community_id, revoked_at__isnull=True
    )
    return (
        Person.objects.restrict(user, Action.CARE_VIEW)
        .filter(community_id=community_id, erased_at__isnull=True, pk__in=tagged.values("person_id"))
        .order_by("id")
    )


def my_houses(user):
    """The houses the user lives in (their own homes, whatever roles they also hold)."""
    return House.objects.own(user).select_related("building", "unit").order_by(*house_order())


def lives_in(user, house_id: int) -> bool:
    return House.objects.own(user).filter(pk=house_id).exists()


def my_households(user) -> Sequence[House]:
    """The user's own homes with their households (see `households`)."""
    scope = scope_of(user)
    rows: list[Any] = households(scope.house_ids)
    for house in rows:
        house.my_relation = next(  # read by the home page's template
            (o.relation for o in house.household if o.person_id in scope.person_ids), None
        )
    return rows


def my_vehicles(user):
    return Vehicle.objects.filter(person_id__in=scope_of(user).person_ids)


# --- what the console's pages show beyond the lists above ------------------------------------


def _active_q(prefix: str = "") -> Q:
    today = timezone.localdate()
    return Q(**{f"{prefix}ended_at__isnull": True, f"{prefix}valid_from__lte": today}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": today})
    )


def houses_with_headcount(user, unit_id: int):
    """A unit's houses with how many people live there today, in one query."""
    return (
        houses(user)
        .filter(unit_id=unit_id)
        .annotate(headcount=Count("occupancies", filter=_active_q("occupancies__"), distinct=True))
    )


def building_summaries(user, community_id: int) -> list:
    """Buildings with their unit and house counts: three grouped queries, no units × houses join."""
    rows = list(buildings(user, community_id))
    ids = [b.id for b in rows]
    unit_counts = dict(
        units_any(user).filter(building_id__in=ids).values_list("building_id").annotate(n=Count("id"))
    )
    house_counts = dict(
        houses(user).filter(building_id__in=ids).values_list("building_id").annotate(n=Count("id"))
    )
    for b in rows:
        b.unit_count, b.house_count = unit_counts.get(b.id, 0), house_counts.get(b.id, 0)
    return rows


def units_with_counts(user, building_id: int) -> list:
    return list(units(user, building_id).annotate(house_count=Count("houses")))


def person_houses(user, person_id: int) -> list[Occupancy]:
    """A person's current relations to houses the viewer may see."""
    return list(
        occupancies(user)
        .active()
        .filter(person_id=person_id)
        .select_related("house__building", "house__unit")
    )


def with_current_houses(user, people):
    """People with `current` = their active occupancies the viewer may see (one extra query)."""
    visible = occupancies(user).active().select_related("house__building", "house__unit").order_by("id")
    return people.prefetch_related(Prefetch("occupancies", queryset=visible, to_attr="current"))


def community_vehicles(user, community_id: int):
    return (
        vehicles(user)
        .filter(community_id=community_id)
        .select_related("person", "house__building", "house__unit")
    )


def person_vehicles(user, person_id: int) -> list[Vehicle]:
    return list(vehicles(user).filter(person_id=person_id).select_related("house__building", "house__unit"))


def community_care_tags(user, community_id: int):
    """The live care tags of a community, with whom they are about and whom to call."""
    return (
        care_tags(user)
        .filter(community_id=community_id, revoked_at__isnull=True)
        .select_related("person", "emergency_contact")
    )


def houses_by_number(user, community_id: int, number: str):
    return houses(user).filter(community_id=community_id, number=number.strip())[:20]


def house_by_label(houses, community_id: int, label: str) -> House | None:
    """The house among `houses` (a queryset the caller restricted) that a person typed as
    楼栋-单元-房号, the way `House.label` writes it; None when there is none."""
    parts = [p.strip() for p in label.replace("－", "-").split("-")]
    if len(parts) != 3:
        return None
    building, unit, number = parts
    return houses.filter(
        community_id=community_id, building__name=building, unit__name=unit, number=number
    ).first()


def names_of_people(user, person_ids: set[int]) -> dict[int, str]:
    return dict(people(user).filter(pk__in=person_ids).values_list("id", "name"))


def masked_names_in(community_id: int, person_ids) -> dict[int, str]:
    """Masked names (王*国) of people of one community, for a screen that must tell them apart
    without showing them (a vote's co-owners to the committee, which has no people.view)."""
    rows = Person.objects.filter(community_id=community_id, pk__in=person_ids, erased_at__isnull=True)
    return {pk: mask_name(name) for pk, name in rows.values_list("id", "name")}


def property_contact(user) -> str:
    """The property company's public line in the user's community, for the 联系物业 button."""
    if not user.is_authenticated:
        return ""
    org = (
        organizations(user)
        .filter(kind=OrgKind.PROPERTY_COMPANY)
        .exclude(contact_phone="")
        .order_by("id")
        .first()
    )
    return org.contact_phone if org else ""


# --- what core's restrict() learns from the registry (registered in RegistryConfig.ready) -----


def residency_of(user, today) -> Residency:
    """The user's people in the registry and the houses (and their communities) they live in
    today: one query in hand-written SQL (linli.core.rawsql), as every request of a signed-in
    user asks it first."""
    active, days = active_occupancy("o")
    sql = f"""
        SELECT p.id, o.house_id, b.community_id
        FROM {rawsql.table(Person)} p
        LEFT JOIN {rawsql.table(Occupancy)} o ON o.person_id = p.id AND {active}
        LEFT JOIN {rawsql.table(House)} h ON h.id = o.house_id
        LEFT JOIN {rawsql.table(Building)} b ON b.id = h.building_id
        WHERE p.user_id = %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*([today] * days), user.pk])
        rows = cursor.fetchall()
    people, houses, communities = set(), set(), set()
    for person_id, house_id, community_id in rows:
        people.add(person_id)
        if house_id is not None:
            houses.add(house_id)
            communities.add(community_id)
    return Residency(
        person_ids=frozenset(people), house_ids=frozenset(houses), community_ids=frozenset(communities)
    )


def communities_of_buildings(building_ids):
    return Building.objects.filter(pk__in=building_ids).values("community_id")


def household_user_ids(house_id: int) -> list[int]:
    """Accounts of the people living in a house today: whom a house's events are told to. In
    hand-written SQL (linli.core.rawsql): every payment tells its household inside the
    payment's transaction, where each millisecond holds SQLite's write lock. The ORM reference
    is in registry/tests/test_household_users.py."""
    active, days = active_occupancy("o")
    sql = f"""
        SELECT DISTINCT p.user_id
        FROM {rawsql.table(Occupancy)} o
        JOIN {rawsql.table(Person)} p ON p.id = o.person_id
        WHERE o.house_id = %s AND p.user_id IS NOT NULL AND {active}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [house_id, *([timezone.localdate()] * days)])
        return [user_id for (user_id,) in cursor.fetchall()]


def household_user_ids_of(houses) -> set[int]:
    """Accounts of the people living today in any of `houses` (ids, or a query of them: a billing
    run's houses), in one query: whom a batch of houses' events are told to."""
    rows = Occupancy.objects.filter(_active_q(), house_id__in=houses, person__user__isnull=False)
    return set(rows.values_list("person__user_id", flat=True).distinct())


def resident_user_ids(community_id: int, building_id: int | None = None) -> set[int]:
    """Accounts of the people living today in a building, or in the whole community: whom an
    alarm there is told to."""
    houses = House.objects.filter(community_id=community_id)
    if building_id is not None:
        houses = houses.filter(building_id=building_id)
    return household_user_ids_of(houses.values("pk"))


def house_in(community_id: int, house_id: int) -> House | None:
    """A house of the community, for a service that another app's caller names by id."""
    return House.objects.filter(pk=house_id, community_id=community_id).first()


def building_in(community_id: int, building_id: int) -> bool:
    return Building.objects.filter(pk=building_id, community_id=community_id).exists()


def building_ids_by_name(community_id: int) -> dict[str, int]:
    """The community's buildings by name, for a spreadsheet that names them (an import's check)."""
    return dict(Building.objects.filter(community_id=community_id).values_list("name", "id"))


def current_house_of(person_id: int, community_id: int, house_id: int | None = None) -> int | None:
    """The house a person lives in or owns today (`house_id` if that is one of them): who pays
    for what the person does alone, e.g. charging an e-bike with a card."""
    houses = Occupancy.objects.active().filter(person_id=person_id, house__community_id=community_id)
    if house_id is not None:
        houses = houses.filter(house_id=house_id)
    return houses.order_by("-lives_here", "id").values_list("house_id", flat=True).first()


# --- the owners' assembly (engage's votes): the roll and who a voter is -------------------------


def owners_roll(community_id: int) -> list[tuple[House, list[Occupancy]]]:
    """Every exclusive part (house) of the community with its active owners and co-owners, as
    the roll of an owners' vote is fixed from it (Civil Code Art. 278)."""
    houses = list(
        House.objects.filter(community_id=community_id)
        .select_related("building", "unit")
        .order_by(*house_order())
    )
    owning = (
        Occupancy.objects.active()
        .filter(house__community_id=community_id, relation__in=[Relation.OWNER, Relation.CO_OWNER])
        .select_related("person")
        .order_by("house_id", "relation", "id")
    )
    by_house: dict[int, list[Occupancy]] = {}
    for occupancy in owning:
        by_house.setdefault(occupancy.house_id, []).append(occupancy)
    return [(house, by_house.get(house.pk, [])) for house in houses]


def relations_in(user, community_id: int) -> set[str]:
    """The relations the user's people hold today to houses of the community (owner, tenant…)."""
    return set(
        Occupancy.objects.active()
        .filter(person__user=user, house__community_id=community_id)
        .values_list("relation", flat=True)
    )


# Community-wide aggregates for the big screen, the government view and the reports
# (dashboards): counts only, no row leaves these functions, and dashboards checks who asks.

AGE_BANDS = (("0-5", 0, 6), ("6-17", 6, 18), ("18-59", 18, 60), ("60-79", 60, 80), ("80+", 80, None))


def age_bands(community_id: int, building_ids=None) -> dict[str, int]:
    """People living here today by age band (bands as in AGE_BANDS; "unknown" without a birth
    date), each person counted once."""
    today = timezone.localdate()

    def born_after(years: int):
        # On 29 February a year back or forward has no such day: the 28th keeps the bands' edges.
        try:
            return today.replace(year=today.year - years)
        except ValueError:
            return today.replace(year=today.year - years, day=28)

    measures = {"unknown": Count("person_id", distinct=True, filter=Q(person__birth_date__isnull=True))}
    for label, low, high in AGE_BANDS:
        window = Q(person__birth_date__lte=born_after(low))
        if high is not None:
            window &= Q(person__birth_date__gt=born_after(high))
        measures[label] = Count("person_id", distinct=True, filter=window)
    return _living(community_id, building_ids).aggregate(**measures)


def housing(community_id: int, building_ids=None) -> dict[str, int]:
    """Residential houses today: all, occupied (someone lives there, a tenant or not), rented
    (a tenant lives there: a part of occupied) and vacant (nobody does: all − occupied)."""
    houses = House.objects.filter(community_id=community_id, type=HouseType.RESIDENTIAL)
    if building_ids is not None:
        houses = houses.filter(building_id__in=building_ids)
    living = _living(community_id, building_ids).aggregate(
        occupied=Count("house_id", distinct=True),
        rented=Count("house_id", distinct=True, filter=Q(relation=Relation.TENANT)),
    )
    total = houses.count()
    return {"houses": total, **living, "vacant": total - living["occupied"]}


def care_counts(community_id: int, building_ids=None) -> dict[str, int]:
    """Special groups as counts only: living people with an active (consented) care tag, by kind."""
    living = _living(community_id, building_ids).values("person_id")
    rows = (
        CareTag.objects.filter(community_id=community_id, revoked_at__isnull=True, person_id__in=living)
        .values("kind")
        .annotate(n=Count("person_id", distinct=True))
    )
    return {r["kind"]: r["n"] for r in rows}


def buildings_of(community_id: int) -> list[tuple[int, str]]:
    """The community's buildings (id, name) in natural order."""
    return list(
        Building.objects.filter(community_id=community_id)
        .order_by(*natural("name"), "id")
        .values_list("id", "name")
    )


def house_states(community_id: int, building_id: int) -> list[dict]:
    """A building's residential houses, each with its state today for the site map: "rented" (a
    tenant lives there), "self_occupied" (people live there, none of them a tenant) or "vacant"
    (nobody does); occupied, as housing() counts it, is self_occupied or rented. House numbers
    and states only, nobody's name: [{id, unit, number, floor, state}]."""
    living = _living(community_id, [building_id]).values("house_id", "relation")
    tenanted = {r["house_id"] for r in living if r["relation"] == Relation.TENANT}
    occupied = {r["house_id"] for r in living}
    houses = (
        House.objects.filter(community_id=community_id, building_id=building_id, type=HouseType.RESIDENTIAL)
        .order_by(*natural("unit__name"), "unit_id", "floor", *natural("number"))
        .values_list("id", "unit__name", "number", "floor")
    )
    return [
        {
            "id": house_id,
            "unit": unit,
            "number": number,
            "floor": floor,
            "state": "rented"
            if house_id in tenanted
            else "self_occupied"
            if house_id in occupied
            else "vacant",
        }
        for house_id, unit, number, floor in houses
    ]


def housing_by_building(community_id: int) -> dict[int, dict[str, int]]:
    """`housing` for every building at once (two queries): {building id: {houses, occupied,
    rented, vacant}}."""
    totals = (
        House.objects.filter(community_id=community_id, type=HouseType.RESIDENTIAL)
        .values_list("building_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    living = (
        _living(community_id)
        .values_list("house__building_id")
        .annotate(
            occupied=Count("house_id", distinct=True),
            rented=Count("house_id", distinct=True, filter=Q(relation=Relation.TENANT)),
        )
        .order_by()
    )
    found = {b: {"houses": n, "occupied": 0, "rented": 0, "vacant": n} for b, n in totals}
    for building_id, occupied, rented in living:
        entry = found.setdefault(building_id, {"houses": 0, "occupied": 0, "rented": 0, "vacant": 0})
        entry.update(occupied=occupied, rented=rented, vacant=entry["houses"] - occupied)
    return found


def buildings_of_communities(community_ids) -> dict[int, list[tuple[int, str]]]:
    """For dashboards' shared datasets: each community's buildings (id, name) in natural order,
    in one query whatever the number of communities."""
    found: dict[int, list[tuple[int, str]]] = {community_id: [] for community_id in community_ids}
    rows = (
        Building.objects.filter(community_id__in=list(found))
        .order_by(*natural("name"), "id")
        .values_list("community_id", "id", "name")
    )
    for community_id, building_id, name in rows:
        found[community_id].append((building_id, name))
    return found
