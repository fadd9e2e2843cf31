"""File formats and limits: CSV encodings, Excel quirks, oversized files, templates."""

import io

import pytest
from openpyxl import load_workbook

from linli.registry.models import House, Person
from linli.registry.tests.test_import_support import (
    HOUSE_HEADER,
    RESIDENT_HEADER,
    csv_bytes,
    errors_of,
    read_csv,
    registry_counts,
    upload,
    xlsx,
)

HOUSES = [("2号楼", "1单元", "101", 1, "住宅", "89.50"), ("2号楼", "1单元", "102", 1, "商铺", "60")]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8", "utf-8-sig"])
def test_it_reads_csv_as_excel_in_china_saves_it(world, api, encoding):
    data = csv_bytes(HOUSE_HEADER, HOUSES, encoding)
    r = upload(api(world.staff), world.a.id, "houses", data, name="房屋.csv", dry_run=False)
    assert r.status_code == 201, r.content
    assert set(House.objects.filter(building__name="2号楼").values_list("number", flat=True)) == {
        "101",
        "102",
    }


def test_it_reads_chinese_names_from_a_gbk_residents_csv(world, api):
    rows = [("1号楼", "1单元", "302", "赵邻居之妻", "", "", "家属", "2020-01-01", "", "外地")]
    data = csv_bytes(RESIDENT_HEADER, rows, "gb18030")
    r = upload(api(world.staff), world.a.id, "residents", data, name="住户.csv", dry_run=False)
    assert r.status_code == 201, r.content
    assert Person.objects.get(name="赵邻居之妻").hukou_local is False


def test_it_numbers_rows_as_excel_shows_them_skipping_blank_ones(world, api):
    rows = [HOUSES[0], ("", "", "", "", "", ""), ("2号楼", "1单元", "103", 1, "住宅", "abc")]
    r = upload(api(world.staff), world.a.id, "houses", xlsx(HOUSE_HEADER, rows))
    assert errors_of(r) == [(4, "建筑面积", "invalid_area")]
    assert r.json()["rows"] == 2


def test_it_accepts_full_width_digits_from_chinese_input_methods(world, api):
    rows = [("2号楼", "1单元", "101", "１", "住宅", "８９.５")]
    r = upload(api(world.staff), world.a.id, "houses", xlsx(HOUSE_HEADER, rows), dry_run=False)
    assert r.status_code == 201, r.content
    assert str(House.objects.get(building__name="2号楼").area) == "89.50"


def test_it_refuses_too_many_rows(world, api, settings):
    settings.LINLI_IMPORT_MAX_ROWS = 1
    before = registry_counts()
    r = upload(api(world.staff), world.a.id, "houses", xlsx(HOUSE_HEADER, HOUSES), dry_run=False)
    assert r.status_code == 400
    assert r.json()["code"] == "too_many_rows"
    assert "1 行" in r.json()["message"]
    assert registry_counts() == before


def test_it_refuses_an_oversized_file(world, api, settings):
    data = xlsx(HOUSE_HEADER, HOUSES)
    settings.LINLI_MAX_UPLOAD_BYTES = len(data) - 1
    r = upload(api(world.staff), world.a.id, "houses", data, dry_run=False)
    assert r.status_code == 413
    assert r.json()["code"] == "file_too_large"


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0 an old binary workbook", "unsupported_format"),
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "unreadable_file"),
        ("empty.csv", b"", "empty_file"),
        ("header-only.csv", "楼栋,单元,房号,楼层,类型,建筑面积\n".encode(), "empty_file"),
        ("no-area.csv", "楼栋,单元,房号,楼层\n1号楼,1单元,1,1\n".encode(), "missing_columns"),
        ("twice.csv", "楼栋,楼栋,单元,房号,楼层,建筑面积\n".encode(), "duplicate_column"),
    ],
)
def test_it_refuses_files_it_cannot_read_with_a_clear_error(world, api, name, data, code):
    r = upload(api(world.staff), world.a.id, "houses", data, name=name)
    assert r.status_code == 400
    assert r.json()["code"] == code
    assert r.json()["message"]


def test_it_names_the_missing_columns(world, api):
    data = csv_bytes(["楼栋", "单元", "房号", "姓名"], [("a",) * 4])
    r = upload(api(world.staff), world.a.id, "residents", data, name="residents.csv")
    assert r.json()["code"] == "missing_columns"
    assert set(r.json()["fields"]) == {"关系", "起始日期"}


def test_it_offers_an_xlsx_template_with_drop_down_lists(world, api):
    r = api(world.staff).get(f"/communities/{world.a.id}/imports/template", {"kind": "residents"})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(r.content))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == RESIDENT_HEADER
    assert sheet["G2"].value == "业主"
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert lists["G2"] == '"业主,共有人,租客,家属"'
    assert lists["J2"] == '"本地,外地"'
    assert "填写说明" in workbook.sheetnames


def test_it_offers_a_csv_template_that_imports_as_is(world, api):
    client = api(world.staff)
    r = client.get(f"/communities/{world.a.id}/imports/template", {"kind": "houses", "format": "csv"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert read_csv(r.content)[0] == HOUSE_HEADER
    dry = upload(client, world.a.id, "houses", r.content, name="template.csv")
    assert dry.json()["errors"] == [] and dry.json()["counts"]["houses"] == 1


def test_it_offers_templates_only_to_who_may_import(world, api):
    path = f"/communities/{world.a.id}/imports/template"
    assert api(world.outsider).get(path, {"kind": "houses"}).status_code == 404
    assert api(world.technician).get(path, {"kind": "houses"}).status_code == 403
    assert api(world.staff).get(path, {"kind": "nonsense"}).status_code == 422


def test_it_reads_excel_unicode_text_and_common_header_variants(world, api):
    header = ["楼号", "单元", "房间号", "楼层", "类型", "面积"]
    body = "\r\n".join("\t".join(map(str, row)) for row in [header, *HOUSES])
    data = body.encode("utf-16")  # what Excel's 另存为 "Unicode 文本" writes
    r = upload(api(world.staff), world.a.id, "houses", data, name="房屋.txt", dry_run=False)
    assert r.status_code == 201, r.content
    assert House.objects.filter(building__name="2号楼").count() == 2
