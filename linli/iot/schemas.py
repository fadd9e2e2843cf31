"""Request and response shapes of the device API; limits come from the model columns."""

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from linli.core.schema_types import Bool, Id, InputSchema, Int, Text, column
from linli.core.schemas import PageQuery
from linli.iot.choices import AlarmStatus, BroadcastPriority, RunMode, Severity
from linli.iot.models import Device

Params = dict[Text(40), float]
Json = dict[Text(40), Any]


class DeviceIn(InputSchema):
    profile_id: Id
    code: column(Device, "code")
    name: column(Device, "name") = ""
    building_id: Id | None = None
    floor: Int(-10, 200) | None = None
    place: column(Device, "place") = ""
    plan_x: Int(0, 1000) | None = None
    plan_y: Int(0, 1000) | None = None
    params: Params = Field(default_factory=dict, max_length=20)


class DeviceChangeIn(InputSchema):
    name: column(Device, "name") | None = None
    building_id: Id | None = None
    floor: Int(-10, 200) | None = None
    place: column(Device, "place") | None = None
    params: Params | None = Field(default=None, max_length=20)
    active: Bool | None = None


class DeviceOut(Schema):
    id: int
    code: str
    name: str
    profile_id: int
    profile: str
    kind: str
    building_id: int | None
    floor: int | None
    place: str
    params: dict
    active: bool
    online: bool
    last_seen: datetime | None
    values: dict
    rejected: int
    last_rejection: str


class RegisteredOut(DeviceOut):
    token: str


class DeviceTokenOut(Schema):
    token: str


class ImportedDeviceOut(Schema):
    id: int
    code: str
    name: str
    token: str


class DevicesImportedOut(Schema):
    created: int
    devices: list[ImportedDeviceOut]


class DeviceFilter(PageQuery):
    profile: Id | None = None
    building: Id | None = None
    online: bool | None = None  # a query string: "true" or "false"


class HistoryQuery(InputSchema):
    key: Text(40, min_length=1)
    since: datetime
    until: datetime


class ReadingPointOut(Schema):
    at: datetime
    value: float
    min: float
    max: float


class AlarmFilter(PageQuery):
    status: Literal[tuple(AlarmStatus.values)] | None = None  # type: ignore[valid-type]
    severity: Literal[tuple(Severity.values)] | None = None  # type: ignore[valid-type]
    open_only: bool = False


class AlarmOut(Schema):
    id: int
    type: str
    title: str
    severity: str
    status: str
    count: int
    device_id: int
    building_id: int | None
    first_at: datetime
    last_at: datetime
    cleared_at: datetime | None
    acknowledged_at: datetime | None
    ack_note: str
    assignee_id: int | None
    details: dict
    snapshot_url: str
    request_id: int | None


class NoteIn(InputSchema):
    note: Text(200) = ""


class AssignIn(InputSchema):
    user_id: Id


class CommandIn(InputSchema):
    name: Text(40, min_length=1)
    params: Json = Field(default_factory=dict, max_length=10)


class CommandOut(Schema):
    id: int
    device_id: int
    name: str
    params: dict
    status: str
    attempts: int
    sent_at: datetime | None
    answered_at: datetime | None
    result: str


class BroadcastIn(InputSchema):
    text: Text(200, min_length=1)
    priority: Literal[tuple(BroadcastPriority.values)] = BroadcastPriority.NORMAL  # type: ignore[valid-type]
    building_id: Id | None = None


class BroadcastOut(Schema):
    id: int
    text: str
    priority: str
    building_id: int | None
    speakers: int
    created_at: datetime


class RuleIn(InputSchema):
    """A rule document (docs/rules.md); its condition and actions are checked by the rule spec."""

    profile_id: Id | None = None
    device_id: Id | None = None
    rule: Json = Field(max_length=10)


class RuleOut(Schema):
    id: int
    profile_id: int | None
    device_id: int | None
    name: str
    alarm_type: str
    severity: str
    condition: dict
    params: dict
    actions: list
    auto_clear: bool
    enabled: bool


class RulesDocument(InputSchema):
    version: Int(1, 1)
    rules: list[Json] = Field(max_length=500)
    replace: Bool = False


class AutomationIn(InputSchema):
    name: Text(60, min_length=1)
    trigger: Json = Field(max_length=5)
    steps: list[Json] = Field(max_length=20)
    mode: Literal[tuple(RunMode.values)] = RunMode.SINGLE  # type: ignore[valid-type]
    enabled: Bool = True


class AutomationOut(Schema):
    id: int
    name: str
    trigger: dict
    steps: list
    mode: str
    enabled: bool


class ProfileOut(Schema):
    id: int
    kind: str
    name: str
    keys: list
    commands: list
    interval_s: int
    offline_after_s: int


class IngestOut(Schema):
    status: str


# --- chargers ----------------------------------------------------------------------------------


class PortOut(Schema):
    number: int
    state: str
    power_w: float


class ChargerOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    place: str
    building_id: int | None
    online: bool
    free_ports: int
    ports: list[PortOut]


class SessionIn(InputSchema):
    device: Id
    port: Int(1, 64)
    house: Id
    # None: until the battery is full (at most the community's maximum); e-bikes only.
    minutes: Int(10, 1440) | None = None


class SessionOut(Schema):
    id: int
    device_id: int
    device: str
    kind: str
    port: int
    status: str
    via: str
    house_id: int | None
    planned_minutes: int | None
    started_at: datetime | None
    ends_at: datetime | None
    stopped_at: datetime | None
    stop_reason: str
    energy_wh: int
    amount_fen: int
    billed: bool


class TariffIn(InputSchema):
    ebike_fen_per_hour: Int(0, 10_000)
    ebike_max_minutes: Int(30, 1440)
    car_fen_per_kwh: Int(0, 1_000)
    fee_item: Id | None = None


class TariffOut(Schema):
    ebike_fen_per_hour: int
    ebike_max_minutes: int
    car_fen_per_kwh: int
    fee_item: int | None


class BilledOut(Schema):
    bills: int
    sessions: int
    refused: int
