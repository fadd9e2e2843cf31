from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from linli.core.masking import mask_id_number, mask_phone, mask_plate


class CommunityIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    code: str = Field(min_length=2, max_length=40, pattern=r"^[a-z0-9-]+$")
    province: str = ""
    city: str = ""
    district: str = ""
    street: str = ""
    address: str = ""


class CommunityOut(Schema):
    id: int
    name: str
    code: str
    city: str
    district: str
    street: str
    address: str
    updated_at: datetime


class BuildingIn(Schema):
    name: str = Field(min_length=1, max_length=40)
    floors: int = Field(1, ge=1, le=200)
    plan_x: int = Field(0, ge=0, le=1000)
    plan_y: int = Field(0, ge=0, le=1000)


class BuildingOut(Schema):
    id: int
    community_id: int
    name: str
    floors: int
    plan_x: int
    plan_y: int
    updated_at: datetime


class UnitIn(Schema):
    name: str = Field(min_length=1, max_length=40)


class UnitOut(Schema):
    id: int
    building_id: int
    name: str
    updated_at: datetime


class HouseIn(Schema):
    number: str = Field(min_length=1, max_length=20)
    floor: int = Field(ge=-10, le=200)
    area: Decimal = Field(gt=0, max_digits=9, decimal_places=2)
    type: str = "residential"


class HousePatch(Schema):
    number: str | None = Field(None, min_length=1, max_length=20)
    floor: int | None = Field(None, ge=-10, le=200)
    area: Decimal | None = Field(None, gt=0, max_digits=9, decimal_places=2)
    type: str | None = None


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
    updated_at: datetime


class PersonIn(Schema):
    name: str = Field(min_length=1, max_length=60)
    id_number: str = ""
    phone: str = ""
    hukou_local: bool = True


class PersonPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=60)
    id_number: str | None = None
    phone: str | None = None
    hukou_local: bool | None = None


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


class OccupancyIn(Schema):
    person_id: int
    relation: str
    valid_from: date
    valid_to: date | None = None
    sponsor_id: int | None = None
    lives_here: bool = True


class ResidentIn(Schema):
    name: str = Field(min_length=1, max_length=60)
    id_number: str = ""
    phone: str = ""
    hukou_local: bool = True
    relation: str
    valid_from: date
    valid_to: date | None = None


class OccupancyEnd(Schema):
    reason: str = "moved_out"
    on: date | None = None


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


class VehicleIn(Schema):
    plate: str = Field(min_length=5, max_length=12)
    kind: str = "car"
    color: str = ""
    house_id: int | None = None


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


class ParkingSpaceIn(Schema):
    number: str = Field(min_length=1, max_length=20)
    kind: str
    area_name: str = ""
    house_id: int | None = None
    vehicle_id: int | None = None
    valid_to: date | None = None


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


class OrganizationIn(Schema):
    kind: str
    name: str = Field(min_length=1, max_length=100)
    credit_code: str = ""
    contact_name: str = ""
    contact_phone: str = ""


class OrganizationOut(OrganizationIn):
    id: int
    community_id: int
    updated_at: datetime


class CareTagIn(Schema):
    kind: str
    consent_by: str = Field(min_length=1, max_length=60)
    consent_method: str = Field(min_length=1, max_length=30)
    note: str = ""
    emergency_contact_id: int | None = None


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


class EraseIn(Schema):
    reason: str = Field(min_length=1, max_length=200)


class PopulationOut(Schema):
    real: int
    floating: int
    tenants: int
    households: int
    by_building: list[dict]
