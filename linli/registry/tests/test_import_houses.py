from decimal import Decimal

import pytest

from linli.core.models import AuditEntry
from linli.registry.models import Building, House, Unit
from linli.registry.tests.test_import_support import (
    HOUSE_HEADER,
    errors_of,
    registry_counts,
    upload,
    xlsx,
)

ROWS = [
    ("1号楼", "1单元", "401", 4, "住宅", "101.35"),  # existing building and unit
    ("1号楼", "2单元", 101, 1, "商铺", 45.5),  # new unit; numbers typed as numbers in Excel
    ("2号楼", "1单元", "B101", -1, "储藏室", "8"),
    ("2号楼", "1单元", "1801", 18, "", "120.00"),  # type left blank: 住宅
]


def test_it_dry_runs_houses_and_writes_nothing(world, api):
    before = registry_counts()
    r = upload(api(world.staff), world.a.id, "houses", xlsx(HOUSE_HEADER, ROWS))
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["dry_run"] is True and body["committed"] is False
    assert body["rows"] == 4 and body["errors"] == []
    counts = body["counts"]
    assert (counts["buildings"], counts["units"], counts["houses"], counts["people"]) == (1, 2, 4, 0)
    assert registry_counts() == before


def test_it_commits_houses_creating_buildings_and_units_as_needed(world, api):
    before = registry_counts()
    data = xlsx(HOUSE_HEADER, ROWS)
    r = upload(api(world.staff), world.a.id, "houses", data, dry_run=False)
    assert r.status_code == 201, r.content
    assert r.json()["committed"] is True
    after = registry_counts()
    assert after["Building"] - before["Building"] == 1
    assert after["Unit"] - before["Unit"] == 2
    assert after["House"] - before["House"] == 4
    assert after["AuditEntry"] - before["AuditEntry"] == 1  # one entry per import, not per row

    shop = House.objects.get(building=world.building, unit__name="2单元", number="101")
    assert (shop.type, shop.floor, shop.area, shop.community_id) == ("shop", 1, Decimal("45.50"), world.a.id)
    assert House.objects.get(unit__name="1单元", building=world.building, number="401").area == Decimal(
        "101.35"
    )
    new_building = Building.objects.get(community=world.a, name="2号楼")
    assert new_building.floors == 18
    assert House.objects.get(building=new_building, number="1801").type == "residential"
    assert House.objects.get(building=new_building, number="B101").floor == -1
    assert Unit.objects.filter(building=world.building).count() == 2

    entry = AuditEntry.objects.get(action="import")
    assert entry.actor == world.staff and entry.community_id == world.a.id
    assert entry.object_type == "registry.import"
    assert entry.after["kind"] == "houses" and entry.after["houses"] == 4
    assert entry.after["sha256"] == r.json()["sha256"]


BAD_ROWS = [
    (("1号楼", "1单元", "501", 5, "住宅", "大约90"), "建筑面积", "invalid_area"),
    (("1号楼", "1单元", "501", 5, "住宅", "0"), "建筑面积", "invalid_area"),
    (("1号楼", "1单元", "501", 5, "住宅", "-12"), "建筑面积", "invalid_area"),
    (("1号楼", "1单元", "501", 5, "住宅", "89.505"), "建筑面积", "invalid_area"),
    (("1号楼", "1单元", "501", 5, "别墅", "89"), "类型", "invalid_house_type"),
    (("1号楼", "1单元", "501", "五楼", "住宅", "89"), "楼层", "invalid_floor"),
    (("1号楼", "1单元", "501", 500, "住宅", "89"), "楼层", "invalid_floor"),
    (("1号楼", "1单元", "", 5, "住宅", "89"), "房号", "required"),
    (("", "1单元", "501", 5, "住宅", "89"), "楼栋", "required"),
    (("1号楼", "1单元", "5" * 21, 5, "住宅", "89"), "房号", "too_long"),
    (("1号楼", "1单元", "301", 3, "住宅", "89"), "房号", "duplicate_house"),  # exists in the DB
    (("1号楼", "1单元", "402", 4, "住宅", "89"), "房号", "duplicate_house"),  # twice in the file
]


@pytest.mark.parametrize(("bad", "column", "code"), BAD_ROWS)
def test_it_reports_a_bad_house_row_and_commits_nothing(world, api, bad, column, code):
    rows = [("1号楼", "1单元", "402", 4, "住宅", "89"), ("3号楼", "1单元", "101", 1, "住宅", "60"), bad]
    data = xlsx(HOUSE_HEADER, rows)
    client = api(world.staff)
    dry = upload(client, world.a.id, "houses", data)
    assert dry.status_code == 200
    assert errors_of(dry) == [(4, column, code)]
    assert dry.json()["errors"][0]["message"]
    assert dry.json()["counts"]["houses"] == 2  # what the good rows would create

    before = registry_counts()
    r = upload(client, world.a.id, "houses", data, dry_run=False)
    assert r.status_code == 422
    assert r.json()["code"] == "import_has_errors"
    assert errors_of(r) == [(4, column, code)]
    assert registry_counts() == before


def test_it_reports_every_bad_row_not_just_the_first(world, api):
    rows = [("1号楼", "1单元", "301", 3, "住宅", "89"), ("1号楼", "1单元", "9", "x", "球场", "-1")]
    r = upload(api(world.staff), world.a.id, "houses", xlsx(HOUSE_HEADER, rows))
    assert errors_of(r) == [
        (2, "房号", "duplicate_house"),
        (3, "楼层", "invalid_floor"),
        (3, "类型", "invalid_house_type"),
        (3, "建筑面积", "invalid_area"),
    ]
    assert r.json()["bad_rows"] == 2


def test_it_accepts_english_and_decorated_headers(world, api):
    header = ["Building", "unit", "NUMBER", "floor", "type", "area", "备注"]
    rows = [("5号楼", "1单元", "101", 1, "shop", "30", "临街")]
    r = upload(api(world.admin), world.a.id, "houses", xlsx(header, rows), dry_run=False)
    assert r.status_code == 201, r.content
    assert House.objects.get(building__name="5号楼").type == "shop"

    header = ["*楼栋", "单元", "房号", "楼层", "建筑面积(㎡)"]
    r = upload(api(world.admin), world.a.id, "houses", xlsx(header, [("5号楼", "1单元", "102", 1, "30")]))
    assert r.status_code == 200 and r.json()["errors"] == []


def test_it_hides_the_import_from_other_communities_and_refuses_staff_without_the_right(world, api):
    data = xlsx(HOUSE_HEADER, ROWS)
    before = registry_counts()
    outsider = upload(api(world.outsider), world.a.id, "houses", data, dry_run=False)
    assert outsider.status_code == 404 and outsider.json()["code"] == "not_found"
    for user in (world.technician, world.front_desk, world.owner):
        r = upload(api(user), world.a.id, "houses", data, dry_run=False)
        assert r.status_code == 403, user
        assert r.json()["code"] == "forbidden"
    assert registry_counts() == before
