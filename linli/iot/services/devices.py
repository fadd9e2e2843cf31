"""Registering devices (IOT-1): a code, a profile, a place, and a token shown once."""

import hashlib
import re
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import hash_token
from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, Forbidden, NotFound, ServiceError
from linli.core.permissions import may, require
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.iot import catalogue
from linli.iot.choices import DeviceKind
from linli.iot.models import Device, DeviceState, Profile, Rule
from linli.iot.models.devices import CODE_PATTERN
from linli.registry import queries as registry_queries
from linli.registry.io import cells
from linli.registry.io.cells import CellError
from linli.registry.io.columns import Column, Kind, source_labels
from linli.registry.io.reader import read_table
from linli.registry.io.report import ImportReport, RowErrors
from linli.registry.io.services import ImportRejected
from linli.registry.io.sheets import xlsx_bytes

TOKEN_PREFIX = "lnd_"


def new_token() -> tuple[str, str]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(24)
    return token, hash_token(token)


def snapshot(device: Device) -> dict:
    return {
        "code": device.code,
        "name": device.name,
        "profile": device.profile_id,
        "building": device.building_id,
        "floor": device.floor,
        "place": device.place,
        "params": device.params,
        "active": device.active,
    }


@transaction.atomic
def ensure_profiles(community_id: int) -> int:
    """The built-in profiles and their rules, for a community that has none yet."""
    if Profile.objects.filter(community_id=community_id).exists():
        return 0
    for spec in catalogue.profiles():
        profile = Profile.objects.create(
            community_id=community_id,
            kind=spec["kind"],
            name=spec["name"],
            keys=spec["keys"],
            commands=spec["commands"],
            interval_s=spec["interval_s"],
            offline_after_s=spec["offline_after_s"],
        )
        Rule.objects.bulk_create(
            Rule(community_id=community_id, profile=profile, **rule) for rule in spec["rules"]
        )
    return len(catalogue.profiles())


def _place(community_id: int, building_id: int | None, floor: int | None) -> None:
    if building_id is not None and not registry_queries.building_in(community_id, building_id):
        raise ServiceError("unknown_building", _("楼栋不存在"), fields={"building": building_id})
    if floor is not None and not -10 <= floor <= 200:
        raise ServiceError("bad_floor", _("楼层超出范围"), fields={"floor": floor})


def _profile(community_id: int, profile_id: int) -> Profile:
    profile = Profile.objects.filter(pk=profile_id, community_id=community_id).first()
    if profile is None:
        raise ServiceError("unknown_profile", _("没有这个设备档案"), fields={"profile": profile_id})
    return profile


def check_code(code: str) -> str:
    code = (code or "").strip()
    if not re.match(CODE_PATTERN, code):
        raise ServiceError(
            "bad_code", _("设备编号只能包含字母、数字、_ 和 -，最长64位"), fields={"code": code[:64]}
        )
    return code


@transaction.atomic
def do_register_device(
    *,
    actor: Actor | None,
    community_id: int,
    profile_id: int,
    code: str,
    name: str,
    building_id: int | None = None,
    floor: int | None = None,
    place: str = "",
    plan_x: int | None = None,
    plan_y: int | None = None,
    params: dict | None = None,
    simulated: bool = False,
) -> tuple[Device, str]:
    """The device and its token; the token is never shown again."""
    if actor is not None:
        require(actor, Action.IOT_SETUP, community_id, building_id)
    profile = _profile(community_id, profile_id)
    _place(community_id, building_id, floor)
    token, digest = new_token()
    device = Device(
        community_id=community_id,
        profile=profile,
        code=check_code(code),
        name=(name or code).strip()[:60],
        building_id=building_id,
        floor=floor,
        place=place[:100],
        plan_x=plan_x,
        plan_y=plan_y,
        token_hash=digest,
        params=clean_params(params),
        simulated=simulated,
    )
    try:
        with transaction.atomic():
            device.save()
    except IntegrityError:
        raise Conflict("duplicate_device", _("设备编号已存在"), fields={"code": device.code}) from None
    DeviceState.objects.create(device=device)
    audit.record(actor=actor, action="iot.device_registered", obj=device, community_id=community_id)
    return device, token


def clean_params(params: dict | None) -> dict:
    from linli.iot.rules.spec import RuleSpecError, validate_params

    try:
        return validate_params(params or {})
    except RuleSpecError as e:
        raise ServiceError("bad_params", e.message, fields={f"params.{e.field}": e.message}) from None


def _device(actor: Actor | None, device_id: int, action: str) -> Device:
    device = Device.objects.filter(pk=device_id).select_related("profile").first()
    if device is None:
        raise NotFound()
    if actor is not None:
        require(actor, action, device.community_id, device.building_id)
    return device


@transaction.atomic
def do_update_device(*, actor: Actor, device_id: int, **values) -> Device:
    device = _device(actor, device_id, Action.IOT_SETUP)
    before = snapshot(device)
    if "building_id" in values or "floor" in values:
        _place(
            device.community_id,
            values.get("building_id", device.building_id),
            values.get("floor", device.floor),
        )
        if values.get("building_id") is not None:
            require(actor, Action.IOT_SETUP, device.community_id, values["building_id"])
    if "params" in values:
        values["params"] = clean_params(values["params"])
    if "profile_id" in values:
        values["profile_id"] = _profile(device.community_id, values["profile_id"]).pk
    for field, value in values.items():
        setattr(device, field, value)
    device.save()
    audit.record_change(
        actor=actor, obj=device, community_id=device.community_id, before=before, snapshot=snapshot
    )
    return device


@transaction.atomic
def do_rotate_token(*, actor: Actor | None, device_id: int) -> str:
    """A new token (the old one stops working at once); for a lost or leaked token."""
    device = _device(actor, device_id, Action.IOT_SETUP)
    token, digest = new_token()
    # updated_at too: a running ingest worker re-reads changed devices by it (Fleet.refresh), and
    # a leaked token must stop working there within seconds, not at the worker's next restart.
    Device.objects.filter(pk=device.pk).update(token_hash=digest, updated_at=timezone.now())
    audit.record(actor=actor, action="iot.token_rotated", obj=device, community_id=device.community_id)
    return token


@transaction.atomic
def register_simulated(community_id: int, count: int) -> int:
    """`count` more simulated devices spread over the community's profiles (`linli simulate`)."""
    profiles = list(Profile.objects.filter(community_id=community_id).order_by("id"))
    start = Device.objects.filter(community_id=community_id, simulated=True).count()
    for n in range(start, start + count):
        profile = profiles[n % len(profiles)]
        do_register_device(
            actor=None,
            community_id=community_id,
            profile_id=profile.pk,
            code=f"sim-{profile.kind}-{n}",
            name=f"{profile.name} {n}",
            simulated=True,
        )
    return count


# --- bulk registration from a spreadsheet (IOT-1) -------------------------------------------------
# A batch an installer registers in one go; larger sites split the sheet, which keeps the tokens
# page (shown once) readable and the one transaction short.
MAX_IMPORT_ROWS = 2000
DEVICES = Kind(
    "iot_devices",
    (
        Column("code", "编号", True, "字母、数字、_ 和 -，最长64位；小区内不能重复", ("设备编号",)),
        Column("name", "名称", False, "最多60个字；留空则用编号"),
        Column(
            "profile", "设备类型", True, "设备档案名称，或设备类型（如 一氧化碳探测器、co）", ("设备档案",)
        ),
        Column("building", "楼栋", False, "系统中已有的楼栋名称，如 1号楼", ("楼号",)),
        Column("floor", "楼层", False, "-10 到 200 的整数，地下层用负数"),
        Column("place", "位置", False, "最多100个字，如 车库东侧"),
    ),
    ("co-b1-01", "1号楼车库CO", "一氧化碳探测器", "1号楼", -1, "车库东侧"),
    _("设备"),
)


@dataclass
class Imported:
    """The devices an import created, with their tokens: shown once, never stored."""

    devices: list[tuple[Device, str]]

    def tokens_xlsx(self) -> bytes:
        """编号, 名称, 令牌 as a workbook built in memory, for the installer's download."""
        header = [str(_("编号")), str(_("名称")), str(_("令牌"))]
        return xlsx_bytes(str(_("设备令牌")), header, ((d.code, d.name, t) for d, t in self.devices))


def import_template() -> bytes:
    return xlsx_bytes(str(DEVICES.label), [c.header for c in DEVICES.columns], [DEVICES.sample])


class _DevicesPlan:
    """Checks rows against the community's profiles, buildings and devices, and the rows above."""

    def __init__(self, actor: Actor, community_id: int):
        self.actor = actor
        self.community_id = community_id
        self.profiles = _profile_lookup(community_id)
        self.buildings = registry_queries.building_ids_by_name(community_id)
        self.taken = set(Device.objects.filter(community_id=community_id).values_list("code", flat=True))
        self.seen: dict[str, int] = {}
        self.devices: list[Device] = []
        self.tokens: list[str] = []  # handed back once with the devices, never saved

    def add(self, row: int, raw: dict, errors: RowErrors) -> None:
        code = errors.check("code", _cell(check_code), raw["code"])
        if code is not None and code in self.seen:
            errors.add(
                "code", CellError("duplicate_code", _("与第%(n)s行的编号重复") % {"n": self.seen[code]})
            )
        elif code is not None and code in self.taken:
            errors.add("code", CellError("duplicate_device", _("设备编号已存在")))
        elif code is not None:
            self.seen[code] = row
        name = errors.check("name", _optional, raw.get("name"), 60)
        profile = errors.check("profile", self._profile, raw["profile"])
        building = errors.check("building", self._building, raw.get("building"))
        floor = None
        if cells.text(raw.get("floor")):
            floor = errors.check(
                "floor", cells.integer, raw["floor"], -10, 200, "bad_floor", _("楼层应为 -10 到 200 的整数")
            )
        place = errors.check("place", _optional, raw.get("place"), 100)
        if errors.found or code is None or profile is None:
            return
        token, digest = new_token()
        self.tokens.append(token)
        self.devices.append(
            Device(
                community_id=self.community_id,
                profile=profile,
                code=code,
                name=name or code,
                building_id=building,
                floor=floor,
                place=place or "",
                token_hash=digest,
            )
        )

    def _profile(self, value) -> Profile:
        found = self.profiles.get(cells.text(value).lower())
        if found is None:
            raise CellError("unknown_profile", _("没有这个设备档案或设备类型"))
        if found is _AMBIGUOUS:
            raise CellError("ambiguous_profile", _("该类型有多个设备档案，请填写档案名称"))
        return found

    def _building(self, value) -> int | None:
        name = cells.text(value)
        building = self.buildings.get(name) if name else None
        if name and building is None:
            raise CellError("unknown_building", _("楼栋不存在"))
        # Narrowed staff register devices in their own buildings; a device of no building is the
        # community's, for staff of the whole community.
        if not may(self.actor, Action.IOT_SETUP, self.community_id, building):
            raise CellError("forbidden", _("您无权在该楼栋登记设备"))
        return building


_AMBIGUOUS = Profile()


def _profile_lookup(community_id: int) -> dict[str, Profile]:
    """A profile by its name, or by its kind (value or Chinese label) when only one has that kind."""
    labels = dict(source_labels(DeviceKind))
    by_kind: dict[str, Profile] = {}
    profiles = list(Profile.objects.filter(community_id=community_id).order_by("id"))
    for profile in profiles:
        for key in (profile.kind, labels.get(profile.kind, "")):
            by_kind[key.lower()] = _AMBIGUOUS if key.lower() in by_kind else profile
    return {**by_kind, **{p.name.lower(): p for p in profiles}}


def _optional(value, limit: int) -> str:
    found = cells.text(value)
    if len(found) > limit:
        raise CellError("too_long", _("内容过长，最多 %(max)d 个字") % {"max": limit})
    return found


def _cell(check):
    def parse(value):
        try:
            return check(cells.ascii_text(value))
        except ServiceError as exc:
            raise CellError.of(exc) from None

    return parse


def do_import_devices(*, actor: Actor, community_id: int, data: bytes) -> Imported:
    """Every row checked before any device is written: one bad row and none is created
    (ImportRejected, 422, every bad row with its row number, column and reason)."""
    if not scope_of(actor).may_in_community(Action.IOT_SETUP, community_id):
        raise Forbidden()
    table = read_table(DEVICES, "", data)  # "": only an .xlsx is read (by its signature)
    if len(table.rows) > MAX_IMPORT_ROWS:
        raise ServiceError(
            "too_many_rows",
            _("行数过多：一次最多登记 %(n)d 台设备，请拆分后分批导入") % {"n": MAX_IMPORT_ROWS},
        )
    report = ImportReport(kind=DEVICES.name, dry_run=False, sha256=hashlib.sha256(data).hexdigest())
    try:
        with transaction.atomic():
            plan = _DevicesPlan(actor, community_id)
            for row, raw in table.rows:
                plan.add(row, raw, RowErrors(report, DEVICES, row))
            report.rows = len(table.rows)
            if not report.ok:
                raise ImportRejected(report)
            created = Device.objects.bulk_create(plan.devices)
            DeviceState.objects.bulk_create(DeviceState(device=d) for d in created)
            audit.record(
                actor=actor,
                action="iot.devices_imported",
                object_type="iot.device_import",
                object_id=report.sha256[:40],
                community_id=community_id,
                after={"sha256": report.sha256, "devices": len(created)},
            )
    except IntegrityError:  # a device registered with one of these codes while the sheet was checked
        raise Conflict("import_conflict", _("导入期间设备编号被占用，未导入任何设备，请重新导入")) from None
    return Imported(list(zip(created, plan.tokens, strict=True)))
