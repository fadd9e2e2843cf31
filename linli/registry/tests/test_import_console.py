from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from linli.core.models import AuditEntry, PiiAccess
from linli.registry.models import House
from linli.registry.tests.test_import_support import (
    HOUSE_HEADER,
    read_xlsx,
    registry_counts,
    xlsx,
)


@pytest.fixture
def houses_file(tmp_path):
    path = tmp_path / "房屋.xlsx"
    path.write_bytes(
        xlsx(
            HOUSE_HEADER, [("6号楼", "1单元", "101", 1, "住宅", "70"), ("6号楼", "1单元", "102", 1, "", "71")]
        )
    )
    return path


def _import(*args):
    out = StringIO()
    call_command("import_registry", *args, stdout=out)
    return out.getvalue()


def test_it_dry_runs_from_the_console_by_default(world, houses_file):
    before = registry_counts()
    out = _import(str(houses_file), "--community", "a", "--kind", "houses", "--user", "staff")
    assert "试导入" in out and "房屋 2" in out
    assert registry_counts() == before


def test_it_commits_from_the_console_in_the_name_of_the_user(world, houses_file):
    out = _import(str(houses_file), "--community", "a", "--kind", "houses", "--user", "staff", "--commit")
    assert "导入完成" in out
    assert House.objects.filter(building__name="6号楼").count() == 2
    assert AuditEntry.objects.get(action="import").actor == world.staff


def test_it_prints_row_errors_in_chinese_and_exits_1(world, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx(HOUSE_HEADER, [("6号楼", "1单元", "101", 1, "住宅", "0")]))
    out = StringIO()
    before = registry_counts()
    with pytest.raises(CommandError) as failure:
        call_command(
            "import_registry",
            str(path),
            "--community",
            "a",
            "--kind",
            "houses",
            "--user",
            "staff",
            "--commit",
            stdout=out,
        )
    assert failure.value.returncode == 1
    assert "第 2 行 [建筑面积] 建筑面积必须大于0（invalid_area）" in out.getvalue()
    assert registry_counts() == before


def test_it_refuses_a_console_user_without_the_right_or_from_elsewhere(world, houses_file):
    with pytest.raises(CommandError, match="权限"):
        _import(str(houses_file), "--community", "a", "--kind", "houses", "--user", "tech", "--commit")
    with pytest.raises(CommandError, match="权限"):
        _import(str(houses_file), "--community", "a", "--kind", "houses", "--user", "outsider", "--commit")
    with pytest.raises(CommandError, match="用户不存在"):
        _import(str(houses_file), "--community", "a", "--kind", "houses", "--user", "nobody")
    assert not House.objects.filter(building__name="6号楼").exists()


def _export_residents_in_full(target, *purpose):
    call_command(
        "export_registry",
        *("--community", "a", "--kind", "residents", "--user", "staff", "--full"),
        *purpose,
        *("-o", str(target)),
        stdout=StringIO(),
    )


def test_it_exports_from_the_console(world, tmp_path):
    target = tmp_path / "residents.xlsx"
    _export_residents_in_full(target, "--purpose", "街道人口核查")
    rows = read_xlsx(target.read_bytes())
    assert "13800000001" in {row[5] for row in rows}
    assert (
        list(PiiAccess.objects.filter(actor=world.staff).values_list("purpose", flat=True))
        == ["街道人口核查"] * 3
    )
    with pytest.raises(CommandError, match="用途"):
        _export_residents_in_full(target)
