import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from linli.core.models import AuditEntry
from linli.registry.models import House
from linli.testing.walk import text_of

HEADER = "楼栋,单元,房号,楼层,类型,建筑面积\n"


@pytest.fixture(autouse=True)
def staging_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def _csv(rows: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("houses.csv", (HEADER + rows).encode(), content_type="text/csv")


def _import_url(world) -> str:
    return f"/staff/c/{world.a.id}/import/"


def test_it_reports_bad_rows_by_row_column_and_reason_and_writes_nothing(world, browser):
    before = House.objects.count()
    r = browser(world.staff).post(
        _import_url(world),
        {"kind": "houses", "file": _csv("2号楼,1单元,101,1,住宅,89.5\n2号楼,1单元,102,一楼,住宅,-3\n")},
    )
    assert r.status_code == 200
    page = text_of(r)
    assert 'id="import-errors"' in page
    assert '<td class="num">3</td><td>楼层</td>' in page and "<td>建筑面积</td>" in page
    assert "staff_import_commit" not in page and "import/commit/" not in page
    assert House.objects.count() == before


def test_it_commits_a_clean_file_after_the_dry_run(world, browser):
    client = browser(world.staff)
    r = client.post(_import_url(world), {"kind": "houses", "file": _csv("2号楼,1单元,101,1,住宅,89.5\n")})
    page = text_of(r)
    assert "检查通过" in page and "确认导入 houses.csv" in page
    assert not House.objects.filter(building__name="2号楼").exists()
    token = page.split('name="token" value="')[1].split('"')[0]
    r = client.post(f"{_import_url(world)}commit/", {"token": token})
    assert r.status_code == 200 and "已导入 1 行" in text_of(r)
    assert House.objects.filter(building__name="2号楼", number="101").exists()
    assert AuditEntry.objects.filter(action="import", community_id=world.a.id).exists()
    # The staged file is used once.
    assert client.post(f"{_import_url(world)}commit/", {"token": token}).status_code == 404


def test_it_keeps_a_staged_import_to_the_user_who_uploaded_it(world, browser):
    page = text_of(
        browser(world.staff).post(
            _import_url(world), {"kind": "houses", "file": _csv("2号楼,1单元,101,1,住宅,89.5\n")}
        )
    )
    token = page.split('name="token" value="')[1].split('"')[0]
    assert browser(world.admin).post(f"{_import_url(world)}commit/", {"token": token}).status_code == 404
    assert not House.objects.filter(building__name="2号楼").exists()


def test_it_shows_a_file_level_refusal(world, browser):
    r = browser(world.staff).post(
        _import_url(world),
        {"kind": "houses", "file": SimpleUploadedFile("houses.xls", b"not a sheet")},
    )
    assert r.status_code == 422
    assert "只支持 .xlsx 和 .csv 文件" in text_of(r)


def test_it_offers_the_templates_and_hides_the_wizard_from_other_roles(world, browser):
    page = text_of(browser(world.staff).get(_import_url(world)))
    assert f"/api/v1/communities/{world.a.id}/imports/template?kind=houses&amp;format=xlsx" in page
    assert browser(world.front_desk).get(_import_url(world)).status_code == 404
    assert browser(world.outsider).get(_import_url(world)).status_code == 404
    assert (
        browser(world.outsider).post(_import_url(world), {"kind": "houses", "file": _csv("")}).status_code
        == 404
    )
