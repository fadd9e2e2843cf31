from datetime import date, datetime
from decimal import Decimal

from ninja import Schema

from linli.core.masking import mask_id_number, mask_phone, mask_plate
from linli.core.models import Community, PiiAccess
from linli.core.schema_types import Bool, Date, Id, InputSchema, Text, column, optional
from linli.core.schemas import PageQuery
from linli.registry.choices import EndReason
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

# Encrypted columns have no length of their own: these are the longest values that are valid.
IdNumber = Text(18)
Phone = Text(20)
Purpose = column(PiiAccess, "purpose")


class CommunityIn(InputSchema):
    name: column(Community, "name", min_length=1)
    code: column(Community, "code", min_length=2, pattern=r"^[a-z0-9-]+$")
    province: column(Community, "province") = ""
    city: column(Community, "city") = ""
    district: column(Community, "district") = ""
    street: column(Community, "street") = ""
    address: column(Community, "address") = ""


class CommunityOut(Schema):
    id: int
    name: str
    code: str
    city: str
    district: str
    street: str
    address: str
    updated_at: datetime


class BuildingIn(InputSchema):
    name: column(Building, "name", min_length=1)
    floors: column(Building, "floors", ge=1, le=200) = 1
    plan_x: column(Building, "plan_x", le=1000) = 0
    plan_y: column(Building, "plan_y", le=1000) = 0


class BuildingOut(Schema):
    id: int
    community_id: int
    name: str
    floors: int
    plan_x: int
    plan_y: int
    updated_at: datetime


class UnitIn(InputSchema):
    name: column(Unit, "name", min_length=1)


class UnitOut(Schema):
    id: int
    building_id: int
    name: str
    updated_at: datetime


class HouseIn(InputSchema):
    number: column(House, "number", min_length=1)
    floor: column(House, "floor", ge=-10, le=200)
    area: column(House, "area", gt=Decimal(0))
    type: column(House, "type") = "residential"


class HousePatch(InputSchema):
    number: column(House, "number", min_length=1) = optional()
    floor: column(House, "floor", ge=-10, le=200) = optional()
    area: column(House, "area", gt=Decimal(0)) = optional()
    type: column(House, "type") = optional()


class HouseOut(Schema):
    id: int
    community_id: int
    building_id: int
    unit_id: int
    label: str
    number: str
    floor: int
    type: str
    area: Decimal
    developer_held: bool
    updated_at: datetime


class DeveloperHeldIn(InputSchema):
    held: Bool


class PersonIn(InputSchema):
    name: column(Person, "name", min_length=1)
    id_number: IdNumber = ""
    phone: Phone = ""
    hukou_local: column(Person, "hukou_local") = True


class PersonPatch(InputSchema):
    name: column(Person, "name", min_length=1) = optional()
    id_number: IdNumber = optional()
    phone: Phone = optional()
    hukou_local: column(Person, "hukou_local") = optional()


class PersonOut(Schema):
    """Masked by default; `masked: false` only when the reader may see and asked to reveal."""

    id: int
    community_id: int
    name: str
    gender: str
    birth_year: int | None
    phone: str
    id_number: str
    hukou_local: bool
    masked: bool = True
    updated_at: datetime

    @staticmethod
    def masked_from(p) -> "PersonOut":
        return PersonOut(
            id=p.id,
            community_id=p.community_id,
            name=p.name,
            gender=p.gender,
            birth_year=p.birth_date.year if p.birth_date else None,
            phone=mask_phone(p.phone),
            id_number=mask_id_number(p.id_number),
            hukou_local=p.hukou_local,
            updated_at=p.updated_at,
        )


class OccupancyIn(InputSchema):
    person_id: Id
    relation: column(Occupancy, "relation")
    valid_from: column(Occupancy, "valid_from")
    valid_to: column(Occupancy, "valid_to") | None = None
    sponsor_id: Id | None = None
    lives_here: column(Occupancy, "lives_here") = True


class ResidentIn(InputSchema):
    name: column(Person, "name", min_length=1)
    id_number: IdNumber = ""
    phone: Phone = ""
    hukou_local: column(Person, "hukou_local") = True
    relation: column(Occupancy, "relation")
    valid_from: column(Occupancy, "valid_from")
    valid_to: column(Occupancy, "valid_to") | None = None


class OccupancyEnd(InputSchema):
    reason: column(Occupancy, "end_reason") = EndReason.MOVED_OUT.value
    on: Date | None = None


class OccupancyOut(Schema):
    id: int
    house_id: int
    person_id: int
    person_name: str
    relation: str
    valid_from: date
    valid_to: date | None
    ended_at: datetime | None
    end_reason: str
    sponsor_id: int | None
    active: bool
    updated_at: datetime

    @staticmethod
    def of(o) -> "OccupancyOut":
        return OccupancyOut(
            id=o.id,
            house_id=o.house_id,
            person_id=o.person_id,
            person_name=o.person.name,
            relation=o.relation,
            valid_from=o.valid_from,
            valid_to=o.valid_to,
            ended_at=o.ended_at,
            end_reason=o.end_reason,
            sponsor_id=o.sponsor_id,
            active=o.is_active(),
            updated_at=o.updated_at,
        )


class HouseDetail(HouseOut):
    household: list[OccupancyOut]
    residents: list[PersonOut]


class VehicleIn(InputSchema):
    plate: Text(12, min_length=5)
    kind: column(Vehicle, "kind") = "car"
    color: column(Vehicle, "color") = ""
    house_id: Id | None = None


class VehicleOut(Schema):
    id: int
    community_id: int
    plate: str
    kind: str
    color: str
    person_id: int
    house_id: int | None
    updated_at: datetime

    @staticmethod
    def of(v, *, full: bool) -> "VehicleOut":
        return VehicleOut(
            id=v.id,
            community_id=v.community_id,
            plate=v.plate if full else mask_plate(v.plate),
            kind=v.kind,
            color=v.color,
            person_id=v.person_id,
            house_id=v.house_id,
            updated_at=v.updated_at,
        )


class ParkingSpaceIn(InputSchema):
    number: column(ParkingSpace, "number", min_length=1)
    kind: column(ParkingSpace, "kind")
    area_name: column(ParkingSpace, "area_name") = ""
    house_id: Id | None = None
    vehicle_id: Id | None = None
    valid_to: column(ParkingSpace, "valid_to") | None = None


class ParkingSpaceOut(Schema):
    id: int
    community_id: int
    number: str
    kind: str
    area_name: str
    house_id: int | None
    vehicle_id: int | None
    valid_to: date | None
    updated_at: datetime


class OrganizationIn(InputSchema):
    kind: column(Organization, "kind")
    name: column(Organization, "name", min_length=1)
    credit_code: column(Organization, "credit_code") = ""
    contact_name: column(Organization, "contact_name") = ""
    contact_phone: column(Organization, "contact_phone") = ""


class OrganizationOut(Schema):
    kind: str
    name: str
    credit_code: str
    contact_name: str
    contact_phone: str
    id: int
    community_id: int
    updated_at: datetime


class CareTagIn(InputSchema):
    kind: column(CareTag, "kind")
    consent_by: column(CareTag, "consent_by", min_length=1)
    consent_method: column(CareTag, "consent_method", min_length=1)
    note: column(CareTag, "note", multiline=True) = ""
    emergency_contact_id: Id | None = None


class CareTagOut(Schema):
    id: int
    person_id: int
    person_name: str
    kind: str
    note: str
    consent_at: datetime
    consent_by: str
    consent_method: str
    revoked_at: datetime | None
    updated_at: datetime

    @staticmethod
    def of(t) -> "CareTagOut":
        return CareTagOut(
            id=t.id,
            person_id=t.person_id,
            person_name=t.person.name,
            kind=t.kind,
            note=t.note,
            consent_at=t.consent_at,
            consent_by=t.consent_by,
            consent_method=t.consent_method,
            revoked_at=t.revoked_at,
            updated_at=t.updated_at,
        )


class EraseIn(InputSchema):
    reason: Text(200, min_length=1, multiline=True)


class PopulationOut(Schema):
    real: int
    floating: int
    tenants: int
    households: int
    by_building: list[dict]


# --- query strings ------------------------------------------------------------------------------


class HouseFilter(PageQuery):
    community: Id | None = None
    building: Id | None = None
    unit: Id | None = None
    type: column(House, "type") | None = None


class PeopleFilter(PageQuery):
    community: Id
    q: Text(60) | None = None


class VehicleFilter(PageQuery):
    community: Id
    plate: Text(20) | None = None
