"""Edge validation and response shapes. No digest, embedding or unmasked visitor data leaves."""

import uuid
from datetime import datetime

from ninja import Schema

from linli.access import schedule as schedules
from linli.access.choices import Direction, Reason
from linli.access.models import (
    AccessEvent,
    AccessPoint,
    CareAlert,
    CareRule,
    Credential,
    FaceConsent,
    Grant,
    SecurityEvent,
    Terminal,
    VisitorPass,
    Zone,
)
from linli.access.pass_tokens import source_ended, status
from linli.core.masking import mask_name, mask_plate
from linli.core.schema_types import Bool, Cursor, DateTime, Id, InputSchema, Text, column, optional
from linli.core.schemas import PageQuery

# Columns that are encrypted (no length of their own) or not stored as typed.
Phone = Text(20)
Plate = Text(20)
IdNumber = Text(18)


class PointIn(InputSchema):
    name: column(AccessPoint, "name", min_length=1)
    kind: column(AccessPoint, "kind")
    building_id: Id | None = None
    unit_id: Id | None = None
    direction: column(AccessPoint, "direction") = Direction.BOTH.value
    allow_temporary_parking: column(AccessPoint, "allow_temporary_parking") = True


class PointPatch(InputSchema):
    name: column(AccessPoint, "name", min_length=1) = optional()
    direction: column(AccessPoint, "direction") = optional()
    is_active: column(AccessPoint, "is_active") = optional()
    allow_temporary_parking: column(AccessPoint, "allow_temporary_parking") = optional()


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


class ZoneIn(InputSchema):
    name: column(Zone, "name", min_length=1)
    point_ids: list[Id] = []


class ZonePointsIn(InputSchema):
    point_ids: list[Id]


class ZoneOut(Schema):
    id: int
    name: str
    kind: str
    building_id: int | None
    point_ids: list[int]

    @staticmethod
    def resolve_point_ids(zone):
        return sorted(p.pk for p in zone.points.all())


class TerminalIn(InputSchema):
    point_id: Id
    name: column(Terminal, "name") = ""
    serial: column(Terminal, "serial") = ""
    public_key: column(Terminal, "public_key") = ""


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


class RotateIn(InputSchema):
    public_key: column(Terminal, "public_key") | None = None


class GrantIn(InputSchema):
    zone_id: Id
    valid_from: column(Grant, "valid_from") | None = None
    valid_until: column(Grant, "valid_until") | None = None
    schedule: list[dict] | None = None
    label: column(Grant, "label") = ""


class HelperIn(InputSchema):
    name: Text(60, min_length=1)
    phone: Phone
    label: column(Grant, "label") = "保姆"
    schedule: list[dict] | None = None
    valid_until: column(Grant, "valid_until") | None = None
    id_number: IdNumber = ""


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


class RevokeIn(InputSchema):
    reason: column(Grant, "revoke_reason") = "revoked"


class CardIn(InputSchema):
    number: Text(40, min_length=1)
    label: column(Credential, "label") = ""


class PinIn(InputSchema):
    house_id: Id


class CredentialOut(Schema):
    id: int
    person_id: int
    kind: str
    label: str
    house_id: int | None
    created_at: datetime


class PinOut(CredentialOut):
    pin: str  # shown once


class DecideIn(InputSchema):
    method: Text(10)
    point: Id | None = None  # if given, must be the terminal's own point
    card: Text(40) = ""
    pin: Text(12) = ""
    house: Id | None = None  # the room typed before a PIN, as a house id (snapshot "rooms")
    qr: Text(4000) = ""
    image: Text(8_000_000) = ""  # base64 JPEG/PNG frame
    embedding: Text(2000) = ""  # base64 of 128 little-endian float32
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


class PlateIn(InputSchema):
    plate: Plate
    event_id: uuid.UUID | None = None


class UploadEventIn(InputSchema):
    id: uuid.UUID
    at: DateTime
    method: column(AccessEvent, "method")
    allowed: Bool
    reason: column(AccessEvent, "reason")
    person: Id | None = None
    pass_jti: Text(32) | None = None


class UploadIn(InputSchema):
    events: list[UploadEventIn]


class PassIn(InputSchema):
    visitor_name: column(VisitorPass, "visitor_name", min_length=1)
    kind: column(VisitorPass, "kind") = "visitor"
    valid_from: column(VisitorPass, "valid_from") | None = None
    valid_until: column(VisitorPass, "valid_until") | None = None
    max_uses: column(VisitorPass, "max_uses") | None = None
    gates: list[Id] | None = None
    visitor_phone: Phone = ""
    plate: Plate = ""
    purpose: column(VisitorPass, "purpose") = ""


class WalkInIn(InputSchema):
    house_id: Id
    visitor_name: column(VisitorPass, "visitor_name", min_length=1)
    id_number: IdNumber
    visitor_phone: Phone = ""
    plate: Plate = ""
    purpose: column(VisitorPass, "purpose") = ""
    open_point: Id | None = None  # open this gate now, using one of the pass's uses


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
        return status(p)

    @staticmethod
    def resolve_ended_reason(p):
        return source_ended(p)

    @staticmethod
    def resolve_ended_message(p):
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
    allowed: Bool
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


class CallIn(InputSchema):
    house: Id


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


class CareRuleIn(InputSchema):
    kind: column(CareRule, "kind")
    hours: column(CareRule, "hours")  # the service answers `invalid_hours` outside its rule


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


class AckIn(InputSchema):
    note: column(CareAlert, "note", multiline=True) = ""


class OpenIn(InputSchema):
    point: Id


class QrOut(Schema):
    token: str
    expires_at: datetime


# --- query strings ------------------------------------------------------------------------------


class GrantFilter(PageQuery):
    person: Id | None = None
    zone: Id | None = None
    source: column(Grant, "source") | None = None


class EventFilter(PageQuery):
    point: Id | None = None
    person: Id | None = None
    allowed: bool | None = None
    method: column(AccessEvent, "method") | None = None


SecurityStatus = column(SecurityEvent, "status")
AlertStatus = column(CareAlert, "status")
SnapshotVersion = Cursor
# empty: the service answers `consent_required`
ConsentBy = column(FaceConsent, "consent_by")
ConsentMethod = column(FaceConsent, "method")
