"""Meter readings (water, electricity, gas): entered one by one or imported from a spreadsheet.

A reading must come after the meter's last one and must not be lower than it, unless it starts a
new meter (换表): then the old meter's final value (not lower than the last reading) is recorded
with it, and usage counts both meters (linli/billing/pricing.py). An import is all or nothing,
with every bad row reported in Chinese, exactly like the registry's import (REG-7).
"""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import User
from linli.billing.choices import METERED, FeeKind, ReadingSource
from linli.billing.models import MeterReading
from linli.core import audit
from linli.core.errors import Conflict, ServiceError
from linli.core.models import Community
from linli.core.permissions import require
from linli.core.roles import Action
from linli.registry.io import cells
from linli.registry.io.cells import CellError
from linli.registry.io.columns import Column, Kind, source_labels
from linli.registry.io.houses import house_key
from linli.registry.io.reader import read_table
from linli.registry.io.report import ImportReport, RowErrors
from linli.registry.io.services import ImportRejected
from linli.registry.models import House

READING_PLACES = Decimal("0.001")
MAX_READING = Decimal(10**11)
METER_LABELS = {label: kind for kind, label in source_labels(FeeKind).items() if kind in METERED} | {
    "水表": FeeKind.WATER,
    "电表": FeeKind.ELECTRICITY,
    "燃气表": FeeKind.GAS,
    "气表": FeeKind.GAS,
}
YES_NO = {"": False, "否": False, "是": True, "换表": True, "no": False, "yes": True}

READINGS = Kind(
    "meter_readings",
    (
        Column("building", "楼栋", True, "须为系统中已有的房屋", ("楼号",)),
        Column("unit", "单元", True, "同上"),
        Column("number", "房号", True, "同上", ("房间号", "门牌号")),
        Column("kind", "表类型", True, "水表、电表 或 燃气表", ("类型",)),
        Column("read_on", "抄表日期", True, "YYYY-MM-DD；须晚于该表上次抄表日期", ("日期",)),
        Column("value", "读数", True, "不小于0，最多三位小数；不能低于上次读数（换表除外）", ("本期读数",)),
        Column("meter_replaced", "换表", False, "是 或 否；留空为否"),
        Column("old_meter_final", "旧表止码", False, "换表时必填：旧表拆下时的读数"),
    ),
    ("1号楼", "1单元", "101", "水表", "2026-03-31", Decimal("1234.5"), "否", ""),
    _("抄表读数"),
)


@dataclass(frozen=True)
class Last:
    read_on: date
    value: Decimal


def clean_value(value, field: str = "value") -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = Decimal(-1)
    if (
        not number.is_finite()
        or number < 0
        or number >= MAX_READING
        or number != number.quantize(READING_PLACES)
    ):
        raise ServiceError(
            "invalid_reading", _("读数应为不小于0的数，最多三位小数"), fields={field: _("读数不正确")}
        )
    return number


def check_reading(
    last: Last | None, read_on: date, value: Decimal, meter_replaced: bool, old_meter_final: Decimal | None
) -> None:
    """The rules of a new reading against the meter's last one (ServiceError with a stable code)."""
    if last is not None and read_on <= last.read_on:
        raise ServiceError(
            "reading_not_after_last",
            _("抄表日期须晚于上次抄表日期（%(day)s）") % {"day": last.read_on.isoformat()},
            fields={"read_on": _("不晚于上次抄表")},
        )
    if meter_replaced:
        if old_meter_final is None:
            raise ServiceError(
                "old_meter_final_required", _("换表时须填写旧表止码"), fields={"old_meter_final": _("必填")}
            )
        if last is not None and old_meter_final < last.value:
            raise ServiceError(
                "old_meter_final_below_last",
                _("旧表止码（%(final)s）低于上次读数（%(last)s）")
                % {"final": old_meter_final, "last": last.value},
                fields={"old_meter_final": _("低于上次读数")},
            )
    elif last is not None and value < last.value:
        raise ServiceError(
            "reading_below_last",
            _("读数（%(value)s）低于上次读数（%(last)s）；如已换表，请勾选换表并填写旧表止码")
            % {"value": value, "last": last.value},
            fields={"value": _("低于上次读数")},
        )


def _last(house_id: int, kind: str) -> Last | None:
    row = (
        MeterReading.objects.filter(house_id=house_id, kind=kind)
        .order_by("-read_on")
        .values_list("read_on", "value")
        .first()
    )
    return Last(*row) if row else None


def _clean_kind(kind: str) -> str:
    if kind not in METERED:
        raise ServiceError("invalid_meter_kind", _("表类型应为水表、电表或燃气表"), fields={"kind": ""})
    return kind


@transaction.atomic
def do_record_reading(
    *,
    actor: User,
    house: House,
    kind: str,
    read_on: date,
    value,
    meter_replaced: bool = False,
    old_meter_final=None,
) -> MeterReading:
    require(actor, Action.BILLING_SETUP, house.community_id, house.building_id)
    _clean_kind(kind)
    number = clean_value(value)
    final = clean_value(old_meter_final, "old_meter_final") if old_meter_final is not None else None
    House.objects.select_for_update().filter(pk=house.pk).first()  # one reading of a house at a time
    check_reading(_last(house.pk, kind), read_on, number, meter_replaced, final)
    reading = MeterReading.objects.create(
        house=house,
        community_id=house.community_id,
        kind=kind,
        read_on=read_on,
        value=number,
        meter_replaced=meter_replaced,
        old_meter_final=final if meter_replaced else None,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="create",
        obj=reading,
        community_id=house.community_id,
        after={
            "house": house.pk,
            "kind": kind,
            "read_on": read_on,
            "value": number,
            "meter_replaced": meter_replaced,
        },
    )
    return reading


class ReadingsPlan:
    """Checks rows against the meters' last readings and the rows before them in the file."""

    def __init__(self, community: Community):
        self.community = community
        self.houses = {
            (b, u, n): hid
            for hid, b, u, n in House.objects.filter(community=community).values_list(
                "id", "building__name", "unit__name", "number"
            )
        }
        self.last: dict[tuple[int, str], Last] = {}
        for house_id, kind, read_on, value in (
            MeterReading.objects.filter(community=community)
            .order_by("read_on")
            .values_list("house_id", "kind", "read_on", "value")
        ):
            self.last[(house_id, kind)] = Last(read_on, value)
        self.readings: list[MeterReading] = []

    def add(self, raw: dict, errors: RowErrors) -> None:
        key = house_key(raw, errors)
        house_id = self.houses.get(key) if key else None
        if key and house_id is None:
            errors.add("number", CellError("unknown_house", _("系统中没有这套房屋，请先导入房屋")))
        kind = errors.check(
            "kind",
            cells.choice,
            raw["kind"],
            METER_LABELS,
            "invalid_meter_kind",
            _("表类型应为水表、电表或燃气表"),
        )
        read_on = errors.check("read_on", cells.day, raw["read_on"])
        value = errors.check("value", _cell(clean_value), raw["value"])
        replaced = errors.check(
            "meter_replaced",
            cells.choice,
            raw.get("meter_replaced"),
            YES_NO,
            "invalid_choice",
            _("应为 是 或 否"),
        )
        final = None
        if cells.text(raw.get("old_meter_final")):
            final = errors.check("old_meter_final", _cell(clean_value), raw["old_meter_final"])
        if errors.found or house_id is None:
            return
        column = {"reading_not_after_last": "read_on", "reading_below_last": "value"}
        try:
            check_reading(self.last.get((house_id, kind)), read_on, value, replaced, final)
        except ServiceError as exc:
            errors.add(column.get(exc.code, "old_meter_final"), CellError.of(exc))
            return
        self.last[(house_id, kind)] = Last(read_on, value)
        self.readings.append(
            MeterReading(
                house_id=house_id,
                community=self.community,
                kind=kind,
                read_on=read_on,
                value=value,
                meter_replaced=replaced,
                old_meter_final=final if replaced else None,
                source=ReadingSource.IMPORT,
            )
        )


def _cell(check):
    def parse(value):
        if isinstance(value, float):
            value = round(value, 6)  # a computed cell's binary noise
        try:
            return check(cells.ascii_text(value))
        except ServiceError as exc:
            raise CellError.of(exc) from None

    return parse


def do_import_readings(
    *, actor: User, community: Community, filename: str, data: bytes, dry_run: bool
) -> ImportReport:
    """Dry run: every bad row. Commit: all rows or none (ImportRejected, 422, with the report)."""
    require(actor, Action.BILLING_SETUP, community.pk)
    table = read_table(READINGS, filename, data)
    report = ImportReport(kind=READINGS.name, dry_run=dry_run, sha256=hashlib.sha256(data).hexdigest())

    def check() -> ReadingsPlan:
        plan = ReadingsPlan(community)
        for row, raw in table.rows:
            plan.add(raw, RowErrors(report, READINGS, row))
        report.rows = len(table.rows)
        report.counts = {"readings": len(plan.readings)}
        return plan

    if dry_run:
        check()
        return report
    try:
        with transaction.atomic():
            plan = check()
            if not report.ok:
                raise ImportRejected(report)
            for reading in plan.readings:
                reading.recorded_by = actor
            MeterReading.objects.bulk_create(plan.readings, batch_size=2000)
            audit.record(
                actor=actor,
                action="import",
                object_type="billing.readings_import",
                object_id=report.sha256[:40],
                community_id=community.pk,
                after={"filename": filename[:200], "sha256": report.sha256, **report.counts},
            )
    except IntegrityError:
        raise Conflict("import_conflict", _("导入期间数据被他人修改，未导入任何数据，请重新导入")) from None
    report.committed = True
    return report
