import io
from datetime import date

from openpyxl import load_workbook

from linli.core.models import PiiAccess
from linli.registry.models import House
from linli.registry.tests.test_import_support import (
    HOUSE_HEADER,
    RESIDENT_HEADER,
    read_csv,
    read_xlsx,
    upload,
)
from linli.testing import factories as f


def _export(client, community_id, kind, **params):
    return client.get(f"/communities/{community_id}/exports/{kind}", params)


def test_it_exports_houses_in_the_import_layout_so_they_re_import_elsewhere(world, api):
    r = _export(api(world.staff), world.a.id, "houses")
    assert r.status_code == 200, r.content
    assert 'filename="a-houses-' in r["Content-Disposition"]
    rows = read_xlsx(r.content)
    assert list(rows[0]) == HOUSE_HEADER
    assert rows[1] == ("1号楼", "1单元", "301", 3, "住宅", 89.5)
    assert len(rows) == 3  # 301 and 302; nothing from community B

    # The outsider is admin of community B: the file imports there as is.
    imported = upload(api(world.outsider), world.b.id, "houses", r.content, name="a.xlsx", dry_run=False)
    assert imported.status_code == 201, imported.content
    assert imported.json()["counts"]["houses"] == 2
    assert House.objects.filter(community=world.b, number="302").get().area == world.neighbour_house.area


def test_it_masks_residents_by_default_and_logs_nothing(world, api):
    r = _export(api(world.staff), world.a.id, "residents", format="csv")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/csv")
    rows = read_csv(r.content)
    assert rows[0] == RESIDENT_HEADER
    owner = next(row for row in rows if row[3] == "王建国")
    assert owner[:3] == ["1号楼", "1单元", "301"]
    assert owner[5] == "138****0001"
    assert "*" in owner[4] and world.owner_person.id_number not in r.content.decode("utf-8-sig")
    tenant = next(row for row in rows if row[3] == "李小梅")
    assert (tenant[6], tenant[8], tenant[9]) == ("租客", world.lease.valid_to.isoformat(), "外地")
    assert PiiAccess.objects.count() == 0


def test_it_exports_full_numbers_only_with_pii_view_and_logs_every_person(world, api):
    r = _export(api(world.front_desk), world.a.id, "residents", full="true", purpose="公安户籍核查")
    assert r.status_code == 200, r.content
    rows = read_xlsx(r.content)[1:]
    assert {row[5] for row in rows} == {"13800000001", "13800000002", "13800000003"}
    assert world.owner_person.id_number in {row[4] for row in rows}
    logged = PiiAccess.objects.filter(actor=world.front_desk)
    assert sorted(logged.values_list("person_id", flat=True)) == sorted(
        [world.owner_person.id, world.tenant_person.id, world.neighbour.people.get().id]
    )
    assert set(logged.values_list("community_id", flat=True)) == {world.a.id}
    assert set(logged.values_list("purpose", flat=True)) == {"公安户籍核查"}  # as a reveal keeps it

    security = f.staff(world.a, "security", "guard")  # sees people, not their numbers
    assert _export(api(security), world.a.id, "residents").status_code == 200
    refused = _export(api(security), world.a.id, "residents", full="true", purpose="核查")
    assert refused.status_code == 403
    assert PiiAccess.objects.filter(actor=security).count() == 0


def test_it_asks_for_a_purpose_before_a_full_export(world, api):
    client = api(world.staff)
    for purpose in ("", "   "):
        r = _export(client, world.a.id, "residents", full="true", purpose=purpose)
        assert (r.status_code, r.json()["code"]) == (400, "purpose_required")
        assert "purpose" in r.json()["fields"]
    too_long = _export(client, world.a.id, "residents", full="true", purpose="用" * 101)
    assert (too_long.status_code, too_long.json()["code"]) == (422, "invalid_input")  # the column's limit
    assert "purpose" in too_long.json()["fields"]
    assert PiiAccess.objects.count() == 0  # nothing was read in full
    assert _export(client, world.a.id, "residents").status_code == 200  # masked needs none


def test_it_exports_only_what_a_building_scoped_worker_may_see(world, api):
    other = f.building(world.a, "9号楼")
    f.occupy(f.house(f.unit(other), "101"), f.person(world.a, "钱九"), "owner")
    scoped = f.staff(world.a, "grid_worker", "grid9", building=other)
    rows = read_csv(_export(api(scoped), world.a.id, "residents", format="csv").content)[1:]
    assert [row[3] for row in rows] == ["钱九"]
    houses = read_csv(_export(api(scoped), world.a.id, "houses", format="csv").content)[1:]
    assert [row[0] for row in houses] == ["9号楼"]


def test_it_leaves_out_ended_and_expired_relations(world, api):
    f.occupy(world.neighbour_house, f.person(world.a, "旧租客"), "tenant", valid_to=date(2021, 1, 1))
    rows = read_csv(_export(api(world.staff), world.a.id, "residents", format="csv").content)[1:]
    assert "旧租客" not in {row[3] for row in rows}


def test_it_keeps_formula_like_names_as_text(world, api):
    f.occupy(world.neighbour_house, f.person(world.a, "=HYPERLINK(1)"), "family")
    client = api(world.staff)
    csv_rows = read_csv(_export(client, world.a.id, "residents", format="csv").content)
    assert "'=HYPERLINK(1)" in {row[3] for row in csv_rows}
    sheet = load_workbook(io.BytesIO(_export(client, world.a.id, "residents").content)).worksheets[0]
    cell = next(c for c in sheet["D"] if c.value == "=HYPERLINK(1)")
    assert cell.data_type == "s"  # a string cell, not a formula


def test_it_refuses_exports_to_outsiders_residents_and_technicians(world, api):
    assert _export(api(world.outsider), world.a.id, "residents").status_code == 404
    assert _export(api(world.outsider), world.a.id, "houses").status_code == 404
    assert _export(api(world.owner), world.a.id, "residents").status_code == 403
    assert _export(api(world.technician), world.a.id, "residents").status_code == 403
    assert _export(api(world.technician), world.a.id, "houses").status_code == 200  # they see every house


def test_it_exports_in_a_fixed_number_of_queries(world, api, django_assert_max_num_queries):
    unit = world.house.unit
    for n in range(30):
        f.occupy(f.house(unit, f"5{n:02d}"), f.person(world.a, f"住户{n}"), "owner")
    client = api(world.staff)
    with django_assert_max_num_queries(7):
        assert _export(client, world.a.id, "residents", full="true", purpose="核查").status_code == 200
    with django_assert_max_num_queries(6):
        assert _export(client, world.a.id, "houses").status_code == 200
