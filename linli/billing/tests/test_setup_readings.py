"""Meter readings: entered one by one, or imported from .xlsx all or nothing with every bad row
reported in Chinese. A reading lower than the last is refused unless a meter change is recorded."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from linli.billing.models import MeterReading

pytestmark = pytest.mark.django_db
HEADER = ["楼栋", "单元", "房号", "表类型", "抄表日期", "读数", "换表", "旧表止码"]


def reading(client, house, **values):
    return client.post(f"/billing/houses/{house.id}/readings", {"kind": "water", **values})


def test_a_reading_lower_than_the_last_needs_a_meter_change(world, api):
    client = api(world.staff)
    assert reading(client, world.house, read_on="2026-02-28", value="120.5").status_code == 201
    lower = reading(client, world.house, read_on="2026-03-31", value=20)
    assert (lower.status_code, lower.json()["code"]) == (400, "reading_below_last")
    assert "低于上次读数（120.500）" in lower.json()["message"]
    no_final = reading(client, world.house, read_on="2026-03-31", value=20, meter_replaced=True)
    assert no_final.json()["code"] == "old_meter_final_required"
    final_too_low = reading(
        client, world.house, read_on="2026-03-31", value=20, meter_replaced=True, old_meter_final=100
    )
    assert final_too_low.json()["code"] == "old_meter_final_below_last"
    changed = reading(
        client, world.house, read_on="2026-03-31", value=20, meter_replaced=True, old_meter_final=130
    )
    assert changed.status_code == 201
    assert MeterReading.objects.get(read_on=date(2026, 3, 31)).old_meter_final == Decimal(130)
    listed = client.get(f"/billing/houses/{world.house.id}/readings").json()
    assert [r["read_on"] for r in listed] == ["2026-03-31", "2026-02-28"]


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"read_on": "2026-02-28", "value": 130}, "reading_not_after_last"),  # same day as the last
        ({"read_on": "2026-02-01", "value": 130}, "reading_not_after_last"),
        ({"read_on": "2026-03-31", "value": -1}, "invalid_reading"),
        ({"read_on": "2026-03-31", "value": "1.0001"}, "invalid_reading"),
        ({"read_on": "2026-03-31", "value": 1, "kind": "property"}, "invalid_meter_kind"),
    ],
)
def test_bad_readings_are_refused_with_a_stable_code(world, api, values, code):
    client = api(world.staff)
    reading(client, world.house, read_on="2026-02-28", value="120.5")
    r = reading(client, world.house, **values)
    assert (r.status_code, r.json()["code"]) == (400, code), r.json()
    assert MeterReading.objects.count() == 1


def test_readings_of_another_community_are_not_found(world, api):
    assert reading(api(world.outsider), world.house, read_on="2026-03-31", value=1).status_code == 404
    assert (
        api(world.front_desk)
        .post(
            f"/billing/houses/{world.house.id}/readings",
            {"kind": "water", "read_on": "2026-03-31", "value": 1},
        )
        .status_code
        == 403
    )


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, world, data: bytes, dry_run: bool):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.client.post(
        f"/api/v1/billing/communities/{world.a.id}/readings/import?dry_run={'true' if dry_run else 'false'}",
        {"file": SimpleUploadedFile("抄表.xlsx", data)},
    )


def test_an_import_writes_every_row_or_none(world, api):
    client = api(world.staff)
    reading(client, world.house, read_on="2026-02-28", value="120.5")
    bad = xlsx(
        [
            ["1号楼", "1单元", "301", "水表", "2026-03-31", 130.25, "", ""],
            ["1号楼", "1单元", "302", "电表", date(2026, 3, 31), 5000, "否", ""],
            ["1号楼", "1单元", "999", "水表", "2026-03-31", 1, "", ""],  # no such house
            ["1号楼", "1单元", "302", "电表", "2026-04-30", 4000, "", ""],  # lower than the row above
            ["1号楼", "1单元", "301", "水表", "2026/13/01", 1, "", ""],  # no such day
            ["1号楼", "1单元", "302", "暖气", "2026-05-31", 6000, "", ""],
        ]
    )
    r = upload(client, world, bad, dry_run=False)
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "import_has_errors"
    errors = {(e["row"], e["column"], e["code"]) for e in body["errors"]}
    assert errors == {
        (4, "房号", "unknown_house"),
        (5, "读数", "reading_below_last"),
        (6, "抄表日期", "invalid_date"),
        (7, "表类型", "invalid_meter_kind"),
    }
    assert all("\u4e00" <= e["message"][0] <= "\u9fff" for e in body["errors"])  # Chinese messages
    assert MeterReading.objects.count() == 1

    good = xlsx(
        [
            ["1号楼", "1单元", "301", "水表", "2026-03-31", 130.25, "", ""],
            ["1号楼", "1单元", "301", "水表", "2026-04-30", 3, "是", 140],
            ["1号楼", "1单元", "302", "电费", "2026-03-31", 5000, "", ""],
        ]
    )
    dry = upload(client, world, good, dry_run=True).json()
    assert (dry["error_count"], dry["counts"], dry["committed"]) == (0, {"readings": 3}, False)
    assert MeterReading.objects.count() == 1
    done = upload(client, world, good, dry_run=False)
    assert done.status_code == 201 and done.json()["committed"]
    changed = MeterReading.objects.get(read_on=date(2026, 4, 30))
    assert (changed.meter_replaced, changed.old_meter_final, changed.source) == (True, Decimal(140), "import")
