"""Edge validation and response shapes. No digest, embedding or unmasked visitor data leaves."""

import uuid
from datetime import datetime

from ninja import Field, Schema

from linli.access import schedule as schedules
from linli.access.choices import Direction
from linli.core.masking import mask_name, mask_plate


class PointIn(Schema):
    name: str = Field(..., max_length=60)
    kind: str
    building_id: int | None = None
    unit_id: int | None = None
    direction: str = Direction.BOTH
    allow_temporary_parking: bool = True


class PointPatch(Schema):
    name: str | None = Field(None, max_length=60)
    direction: str | None = None
    is_active: bool | None = None
    allow_temporary_parking: bool | None = None


class PointOut(Schema):
    id: int
    community_id: int
    name: str
    kind: str
    building_id: int | None
    unit_id: int | None
    direction: str
    is_active: bool
    allow_temporary_parking: bool


class ZoneIn(Schema):
    name: str = Field(..., max_length=60)
    point_ids: list[int] = []


class ZonePointsIn(Schema):
    point_ids: list[int]


class ZoneOut(Schema):
    id: int
    name: str
    kind: str
    building_id: int | None
    point_ids: list[int]

    @staticmethod
    def resolve_point_ids(zone):
        return sorted(p.pk for p in zone.points.all())


class TerminalIn(Schema):
    point_id: int
    name: str = Field("", max_length=60)
    serial: str = Field("", max_length=60)
    public_key: str = Field("", max_length=64)


class TerminalOut(Schema):
    id: int
    point_id: int
    name: str
    serial: str
    token_prefix: str
    signed_requests: bool
    revoked_at: datetime | None
    last_seen_at: datetime | None
    last_version: int

    @staticmethod
    def resolve_signed_requests(terminal):
        return bool(terminal.public_key)


class TerminalCreated(TerminalOut):
    token: str  # shown once


class RotateIn(Schema):
    public_key: str | None = Field(None, max_length=64)


class GrantIn(Schema):
    zone_id: int
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    schedule: list[dict] | None = None
    label: str = Field("", max_length=40)


class HelperIn(Schema):
    name: str = Field(..., max_length=60)
    phone: str = Field(..., max_length=20)
    label: str = Field("保姆", max_length=40)
    schedule: list[dict] | None = None
    valid_until: datetime | None = None
    id_number: str = Field("", max_length=18)


class GrantOut(Schema):
    id: int
    person_id: int
    person_name: str
    zone_id: int
    zone_name: str
    house_id: int | None
    source: str
    label: str
    valid_from: datetime
    valid_until: datetime | None
    schedule: list[dict] | None
    schedule_text: str
    revoked_at: datetime | None

    @staticmethod
    def resolve_person_name(grant):
        return mask_name(grant.person.name)

    @staticmethod
    def resolve_zone_name(grant):
        return grant.zone.name

    @staticmethod
    def resolve_schedule_text(grant):
        return schedules.describe(grant.schedule)


class RevokeIn(Schema):
    reason: str = Field("revoked", max_length=40)


class CardIn(Schema):
    number: str = Field(..., max_length=40)
    label: str = Field("", max_length=40)


class PinIn(Schema):
    house_id: int


class CredentialOut(Schema):
    id: int
    person_id: int
    kind: str
    label: str
    house_id: int | None
    created_at: datetime


class PinOut(CredentialOut):
    pin: str  # shown once


class DecideIn(Schema):
    method: str
    point: int | None = None  # if given, must be the terminal's own point
    card: str = Field("", max_length=40)
    pin: str = Field("", max_length=12)
    house: int | None = None  # the room typed before a PIN, as a house id (snapshot "rooms")
    qr: str = Field("", max_length=4000)
    image: str = Field("", max_length=8_000_000)  # base64 JPEG/PNG frame
    embedding: str = Field("", max_length=2000)  # base64 of 128 little-endian float32
    event_id: uuid.UUID | None = None


class DecisionOut(Schema):
    allow: bool
    reason: str
    message: str
    person: dict | None = None
    pass_id: int | None = None
    event: int | None = None
    detail: dict | None = None

    @classmethod
    def of(cls, d) -> "DecisionOut":
        person = {"id": d.person_id, "name": d.person_name} if d.person_id else None
        return cls(
            allow=d.allowed,
            reason=d.reason,
            message=d.message,
            person=person,
            pass_id=d.pass_id,
            event=d.event_id,
            detail=d.detail,
        )


class PlateIn(Schema):
    plate: str = Field(..., max_length=20)
    event_id: uuid.UUID | None = None


class UploadEventIn(Schema):
    id: uuid.UUID
    at: datetime
    method: str
    allowed: bool
    reason: str = Field(..., max_length=30)
    person: int | None = None
    pass_jti: str | None = Field(None, max_length=32)


class UploadIn(Schema):
    events: list[UploadEventIn]


class PassIn(Schema):
    visitor_name: str = Field(..., max_length=60)
    kind: str = "visitor"
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    max_uses: int | None = None
    gates: list[int] | None = None
    visitor_phone: str = Field("", max_length=20)
    plate: str = Field("", max_length=20)
    purpose: str = Field("", max_length=100)


class WalkInIn(Schema):
    house_id: int
    visitor_name: str = Field(..., max_length=60)
    id_number: str = Field(..., max_length=18)
    visitor_phone: str = Field("", max_length=20)
    plate: str = Field("", max_length=20)
    purpose: str = Field("", max_length=100)
    open_point: int | None = None  # open this gate now, using one of the pass's uses


class PassOut(Schema):
    id: int
    kind: str
    house_id: int | None
    house: str
    visitor_name: str
    plate: str
    purpose: str
    valid_from: datetime
    valid_until: datetime
    max_uses: int
    uses: int
    revoked_at: datetime | None
    status: str
    # Why a pass ended with its source (pass_host_left, pass_issuer_left), else "".
    ended_reason: str = ""
    ended_message: str = ""

    @staticmethod
    def resolve_house(p):
        return p.house.label if p.house_id else ""

    @staticmethod
    def resolve_visitor_name(p):
        return mask_name(p.visitor_name)

    @staticmethod
    def resolve_plate(p):
        return mask_plate(p.plate)

    @staticmethod
    def resolve_status(p):
        from linli.access.passes import status

        return status(p)

    @staticmethod
    def resolve_ended_reason(p):
        from linli.access.passes import source_ended

        return source_ended(p)

    @staticmethod
    def resolve_ended_message(p):
        from linli.access.choices import Reason
        from linli.access.passes import source_ended

        reason = source_ended(p)
        return str(dict(Reason.choices).get(reason, reason)) if reason else ""


class PassCreated(PassOut):
    token: str
    link: str


class EventOut(Schema):
    id: int
    at: datetime
    point_id: int
    point_name: str
    method: str
    allowed: bool
    reason: str
    direction: str
    person_id: int | None
    person_name: str
    visitor_pass_id: int | None
    offline: bool

    @staticmethod
    def resolve_point_name(e):
        return e.point.name

    @staticmethod
    def resolve_person_name(e):
        return e.person.name if e.person_id else ""


class SecurityEventOut(Schema):
    id: int
    point_id: int | None
    point_name: str
    kind: str
    status: str
    count: int
    first_at: datetime
    last_at: datetime
    last_reason: str

    @staticmethod
    def resolve_point_name(s):
        return s.point.name if s.point_id else ""


class CallIn(Schema):
    house: int


class CallOut(Schema):
    id: int
    house_id: int
    point_id: int
    status: str
    created_at: datetime
    expires_at: datetime
    answered_at: datetime | None


class ParkingOut(Schema):
    id: int
    plate: str
    entered_at: datetime
    exited_at: datetime | None
    entry_point_id: int
    exit_point_id: int | None
    visitor_pass_id: int | None

    @staticmethod
    def resolve_plate(r):
        return mask_plate(r.plate)


class CareRuleIn(Schema):
    kind: str
    hours: int


class CareRuleOut(Schema):
    id: int
    person_id: int
    person_name: str
    kind: str
    hours: int
    is_active: bool

    @staticmethod
    def resolve_person_name(r):
        return r.person.name


class CareAlertOut(Schema):
    id: int
    person_id: int
    person_name: str
    kind: str
    status: str
    condition_at: datetime
    raised_at: datetime
    acknowledged_at: datetime | None
    note: str

    @staticmethod
    def resolve_person_name(a):
        return a.person.name


class AckIn(Schema):
    note: str = Field("", max_length=200)


class OpenIn(Schema):
    point: int


class QrOut(Schema):
    token: str
    expires_at: datetime
