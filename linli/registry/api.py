"""Thin router: validate at the edge, read through queries, write through services."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from linli.core import queries as core_queries
from linli.core.errors import ServiceError
from linli.core.http import community_for, etag_of, get_or_404
from linli.core.pagination import keyset_page
from linli.core.roles import Action
from linli.registry import privacy, queries, services
from linli.registry.schemas import (
    BuildingIn,
    BuildingOut,
    CareTagIn,
    CareTagOut,
    CommunityOut,
    DeveloperHeldIn,
    EraseIn,
    HouseDetail,
    HouseFilter,
    HouseIn,
    HouseOut,
    HousePatch,
    OccupancyEnd,
    OccupancyIn,
    OccupancyOut,
    OrganizationIn,
    OrganizationOut,
    ParkingSpaceIn,
    ParkingSpaceOut,
    PeopleFilter,
    PersonIn,
    PersonOut,
    PersonPatch,
    PopulationOut,
    Purpose,
    ResidentIn,
    UnitIn,
    UnitOut,
    VehicleFilter,
    VehicleIn,
    VehicleOut,
)

router = Router(tags=["registry"])


def paged(rows, next_cursor, convert=lambda x: x):
    return {"items": [convert(r) for r in rows], "next_cursor": next_cursor}


# --- communities ----------------------------------------------------------------------------


@router.get("/communities", response=list[CommunityOut])
def list_communities(request):
    return list(core_queries.communities(request.user, Action.PROPERTY_VIEW))


# `POST /communities` (a community with its first admin) is linli.accounts's, one layer up; it
# adds itself to this router (linli.accounts.api_staff.create_community).


@router.get("/communities/{community_id}", response=CommunityOut)
def get_community(request, community_id: int):
    return community_for(request, community_id)


@router.get("/communities/{community_id}/population", response=PopulationOut)
def get_population(request, community_id: int):
    community = community_for(request, community_id, Action.STATS_VIEW)
    totals, by_building = queries.population_seen_by(request.user, community.id)
    return {**totals, "by_building": by_building}


# --- buildings, units, houses ---------------------------------------------------------------


@router.get("/communities/{community_id}/buildings", response=list[BuildingOut])
def list_buildings(request, community_id: int):
    community_for(request, community_id)
    return list(queries.buildings(request.user, community_id))


@router.post("/communities/{community_id}/buildings", response={201: BuildingOut})
def create_building(request, community_id: int, data: BuildingIn):
    community = community_for(request, community_id)
    return Status(
        201, services.do_create_building(actor=request.user, community=community, **data.model_dump())
    )


@router.get("/buildings/{building_id}/units", response=list[UnitOut])
def list_units(request, building_id: int):
    get_or_404(queries.buildings_any(request.user), pk=building_id)
    return list(queries.units(request.user, building_id))


@router.post("/buildings/{building_id}/units", response={201: UnitOut})
def create_unit(request, building_id: int, data: UnitIn):
    building = get_or_404(queries.buildings_any(request.user), pk=building_id)
    return Status(201, services.do_create_unit(actor=request.user, building=building, name=data.name))


@router.get("/houses", response=dict)
def list_houses(request, filters: Query[HouseFilter]):
    if filters.community is not None:
        community_for(request, filters.community)
    qs = queries.houses(request.user)
    for key in ("community", "building", "unit", "type"):
        value = getattr(filters, key)
        if value is not None:
            qs = qs.filter(**{f"{key}_id" if key != "type" else key: value})
    rows, nxt = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return paged(rows, nxt, lambda h: HouseOut.model_validate(h).model_dump())


@router.post("/units/{unit_id}/houses", response={201: HouseOut})
def create_house(request, unit_id: int, data: HouseIn):
    unit = get_or_404(queries.units_any(request.user), pk=unit_id)
    return Status(201, services.do_create_house(actor=request.user, unit=unit, **data.model_dump()))


@router.get("/houses/{house_id}", response=HouseDetail)
def get_house(request, house_id: int, response: HttpResponse):
    try:
        house = queries.house_with_household(request.user, house_id)
    except queries.House.DoesNotExist:
        return get_or_404(queries.houses(request.user), pk=-1)
    response["ETag"] = etag_of(house)
    household = house.household
    return {
        **HouseOut.model_validate(house).model_dump(),
        "household": [OccupancyOut.of(o) for o in household],
        "residents": [PersonOut.masked_from(o.person) for o in household],
    }


@router.patch("/houses/{house_id}", response=HouseOut)
def update_house(request: HttpRequest, house_id: int, data: HousePatch, response: HttpResponse):
    house = get_or_404(queries.houses(request.user), pk=house_id)
    expected = request.headers.get("If-Match")
    if expected and expected != etag_of(house):
        raise ServiceError("stale_object", "房屋信息已被他人修改，请刷新后重试", status=412)
    house = services.do_update_house(
        actor=request.user,
        house=house,
        if_unmodified_since=house.updated_at if expected else None,
        **data.dict(exclude_unset=True),
    )
    response["ETag"] = etag_of(house)
    return house


@router.post("/houses/{house_id}/developer-held", response=HouseOut)
def set_developer_held(request, house_id: int, data: DeveloperHeldIn):
    """The developer's unsold or undelivered part, counted once with all of them in a vote."""
    house = get_or_404(queries.houses(request.user), pk=house_id)
    return services.do_set_developer_held(actor=request.user, house=house, held=data.held)


# --- people ---------------------------------------------------------------------------------


@router.get("/people", response=dict)
def list_people(request, filters: Query[PeopleFilter]):
    community_for(request, filters.community, Action.PEOPLE_VIEW)
    if filters.q:
        qs = queries.search_people(request.user, filters.community, filters.q)
    else:
        qs = queries.people(request.user).filter(community_id=filters.community)
    rows, nxt = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return paged(rows, nxt, lambda p: PersonOut.masked_from(p).model_dump())


@router.post("/communities/{community_id}/people", response={201: PersonOut})
def create_person(request, community_id: int, data: PersonIn):
    community = community_for(request, community_id, Action.PEOPLE_VIEW)
    person = services.do_register_person(actor=request.user, community=community, **data.model_dump())
    return Status(201, PersonOut.masked_from(person))


@router.get("/people/{person_id}", response=PersonOut)
def get_person(request, person_id: int, response: HttpResponse, reveal: bool = False, purpose: Purpose = ""):
    person = get_or_404(queries.people(request.user), pk=person_id)
    out = PersonOut.masked_from(person)
    contact = privacy.person_contact(request.user, person, reveal=reveal, purpose=purpose)
    response["ETag"] = etag_of(person)
    return out.model_copy(update=contact)


@router.patch("/people/{person_id}", response=PersonOut)
def update_person(request, person_id: int, data: PersonPatch):
    person = get_or_404(queries.people(request.user), pk=person_id)
    person = services.do_update_person(actor=request.user, person=person, **data.dict(exclude_unset=True))
    return PersonOut.masked_from(person)


@router.get("/people/{person_id}/export", response=dict)
def export_person(request, person_id: int):
    person = get_or_404(queries.people(request.user), pk=person_id)
    return privacy.export_person_data(request.user, person)


@router.post("/people/{person_id}/erase", response=PersonOut)
def erase_person(request, person_id: int, data: EraseIn):
    person = get_or_404(queries.people(request.user), pk=person_id)
    return PersonOut.masked_from(
        services.do_erase_person(actor=request.user, person=person, reason=data.reason)
    )


# --- occupancy ------------------------------------------------------------------------------


@router.post("/houses/{house_id}/residents", response={201: OccupancyOut})
def register_resident(request, house_id: int, data: ResidentIn):
    """One step for the landlord, the tenant or the counter: the person and their relation."""
    house = get_or_404(queries.houses(request.user), pk=house_id)
    occupancy = services.do_register_resident(actor=request.user, house=house, **data.model_dump())
    return Status(201, OccupancyOut.of(occupancy))


@router.post("/houses/{house_id}/occupancies", response={201: OccupancyOut})
def add_occupancy(request, house_id: int, data: OccupancyIn):
    house = get_or_404(queries.houses(request.user), pk=house_id)
    person = get_or_404(queries.people(request.user), pk=data.person_id)
    sponsor = None
    if data.sponsor_id:
        sponsor = get_or_404(queries.occupancies_of(house), pk=data.sponsor_id)
    occupancy = services.do_add_occupancy(
        actor=request.user,
        house=house,
        person=person,
        relation=data.relation,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        sponsor=sponsor,
        lives_here=data.lives_here,
    )
    return Status(201, OccupancyOut.of(occupancy))


@router.post("/occupancies/{occupancy_id}/end", response=OccupancyOut)
def end_occupancy(request, occupancy_id: int, data: OccupancyEnd):
    occupancy = get_or_404(
        queries.occupancies(request.user).select_related("house", "person"),
        pk=occupancy_id,
    )
    occupancy = services.do_end_occupancy(
        actor=request.user, occupancy=occupancy, reason=data.reason, on=data.on
    )
    return OccupancyOut.of(occupancy)


# --- vehicles, parking, organisations, care -------------------------------------------------


@router.get("/vehicles", response=dict)
def list_vehicles(request, filters: Query[VehicleFilter]):
    community_for(request, filters.community, Action.PEOPLE_VIEW)
    if filters.plate:
        qs = queries.vehicles_by_plate(request.user, filters.community, filters.plate)
    else:
        qs = queries.vehicles(request.user).filter(community_id=filters.community)
    rows, nxt = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return paged(rows, nxt, lambda v: VehicleOut.of(v, full=bool(filters.plate)).model_dump())


@router.post("/people/{person_id}/vehicles", response={201: VehicleOut})
def add_vehicle(request, person_id: int, data: VehicleIn):
    person = get_or_404(queries.people(request.user), pk=person_id)
    house = get_or_404(queries.houses(request.user), pk=data.house_id) if data.house_id else None
    vehicle = services.do_register_vehicle(
        actor=request.user, person=person, plate=data.plate, kind=data.kind, color=data.color, house=house
    )
    return Status(201, VehicleOut.of(vehicle, full=True))


@router.get("/communities/{community_id}/parking-spaces", response=list[ParkingSpaceOut])
def list_spaces(request, community_id: int):
    community_for(request, community_id)
    return list(queries.parking_spaces(request.user).filter(community_id=community_id))


@router.post("/communities/{community_id}/parking-spaces", response={201: ParkingSpaceOut})
def create_space(request, community_id: int, data: ParkingSpaceIn):
    community = community_for(request, community_id)
    house = get_or_404(queries.houses(request.user), pk=data.house_id) if data.house_id else None
    vehicle = get_or_404(queries.vehicles(request.user), pk=data.vehicle_id) if data.vehicle_id else None
    fields = data.dict(exclude={"house_id", "vehicle_id"})
    return Status(
        201,
        services.do_create_parking_space(
            actor=request.user, community=community, house=house, vehicle=vehicle, **fields
        ),
    )


@router.get("/communities/{community_id}/organizations", response=list[OrganizationOut])
def list_organizations(request, community_id: int):
    community_for(request, community_id)
    return list(queries.organizations(request.user).filter(community_id=community_id))


@router.post("/communities/{community_id}/organizations", response={201: OrganizationOut})
def create_organization(request, community_id: int, data: OrganizationIn):
    community = community_for(request, community_id)
    return Status(
        201, services.do_create_organization(actor=request.user, community=community, **data.model_dump())
    )


@router.get("/communities/{community_id}/care-tags", response=list[CareTagOut])
def list_care_tags(request, community_id: int, include_revoked: bool = False):
    community_for(request, community_id, Action.CARE_VIEW)
    qs = queries.care_tags(request.user).filter(community_id=community_id)
    if not include_revoked:
        qs = qs.filter(revoked_at__isnull=True)
    return [CareTagOut.of(t) for t in qs.select_related("person").order_by("id")]


@router.post("/people/{person_id}/care-tags", response={201: CareTagOut})
def add_care_tag(request, person_id: int, data: CareTagIn):
    person = get_or_404(queries.people(request.user), pk=person_id)
    contact = (
        get_or_404(queries.people(request.user), pk=data.emergency_contact_id)
        if data.emergency_contact_id
        else None
    )
    tag = services.do_add_care_tag(
        actor=request.user,
        person=person,
        kind=data.kind,
        consent_by=data.consent_by,
        consent_method=data.consent_method,
        note=data.note,
        emergency_contact=contact,
    )
    return Status(201, CareTagOut.of(tag))


@router.post("/care-tags/{tag_id}/revoke", response=CareTagOut)
def revoke_care_tag(request, tag_id: int):
    tag = get_or_404(queries.care_tags_visible(request.user).select_related("person"), pk=tag_id)
    return CareTagOut.of(services.do_revoke_care_tag(actor=request.user, tag=tag))


@router.get("/me", response=dict)
def me(request):
    """The resident home: my houses, my household, my vehicles — nothing of the neighbours."""
    user = request.user
    mine = queries.my_households(user)
    return {
        "user": {"id": user.id, "name": str(user), "elderly_mode": user.elderly_mode},
        "houses": [
            {
                **HouseOut.model_validate(h).model_dump(),
                "my_relation": h.my_relation,
                "household": [OccupancyOut.of(o).model_dump() for o in h.household],
            }
            for h in mine
        ],
        "vehicles": [VehicleOut.of(v, full=True).model_dump() for v in queries.my_vehicles(user)],
    }
