"""Registering devices as staff do: one from the console's form (its token shown once), a new token
from the device page, and a sheet of them from an .xlsx through the API and the console — all or
none, every bad row named by its row, column and reason."""

import io

import orjson
import pytest
from openpyxl import Workbook, load_workbook

from linli.iot.models import Device, DeviceState
from linli.iot.services.devices import MAX_IMPORT_ROWS
from linli.testing import iot
from linli.testing.personas import build_narrowed

HEADER = ("编号", "名称", "设备类型", "楼栋", "楼层", "位置")


def xlsx(*rows, header=HEADER) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "devices.xlsx"
    return out


def sends(client, community_code: str, code: str, token: str) -> int:
    return client.post(
        f"/api/v1/iot/ingest/{community_code}/{code}/telemetry",
        iot.body(token, values={"co": 3}),
        content_type="application/json",
    ).status_code


@pytest.mark.django_db
def test_registering_a_device_shows_its_token_once(client, world, site):
    client.force_login(world.staff)
    base = f"/iot/staff/{world.a.id}/devices/"
    assert "登记设备" in client.get(base).content.decode()
    form = client.get(f"{base}new")
    assert form.status_code == 200 and "一氧化碳探测器" in form.content.decode()
    done = client.post(
        f"{base}new",
        {
            "code": "co-garage-9",
            "name": "车库CO 9",
            "profile": iot.profile(world.a.id, "co").pk,
            "building": world.building.pk,
            "floor": "-1",
            "place": "车库东侧",
        },
    )
    page = done.content.decode()
    assert done.status_code == 200 and "只显示这一次" in page
    assert "no-store" in done["Cache-Control"]
    token = page.split("data-token>")[1].split("<")[0]
    assert token.startswith("lnd_")
    device = Device.objects.get(code="co-garage-9")
    assert (device.floor, device.place, device.building_id) == (-1, "车库东侧", world.building.pk)
    assert sends(client, world.a.code, "co-garage-9", token) == 202
    # Never again: the device's page does not show it.
    assert token not in client.get(f"{base}{device.pk}").content.decode()


@pytest.mark.django_db
def test_a_taken_code_is_refused_beside_the_field(client, world, site):
    client.force_login(world.staff)
    answer = client.post(
        f"/iot/staff/{world.a.id}/devices/new",
        {"code": site.co.code, "profile": iot.profile(world.a.id, "co").pk},
    )
    assert answer.status_code == 200 and "设备编号已存在" in answer.content.decode()
    assert "data-token" not in answer.content.decode()
    assert Device.objects.filter(code=site.co.code).count() == 1


@pytest.mark.django_db
def test_rotating_a_token_from_the_device_page(client, world, site):
    client.force_login(world.staff)
    old = site.tokens[site.co.code]
    detail = client.get(f"/iot/staff/{world.a.id}/devices/{site.co.pk}")
    assert "重新生成令牌" in detail.content.decode()
    done = client.post(f"/iot/staff/{world.a.id}/devices/{site.co.pk}/token")
    page = done.content.decode()
    assert "旧令牌已失效" in page
    new = page.split("data-token>")[1].split("<")[0]
    assert new != old
    assert sends(client, world.a.code, site.co.code, old) == 401
    assert sends(client, world.a.code, site.co.code, new) == 202


@pytest.mark.django_db
def test_a_technician_may_not_register_or_rotate(client, world, site):
    narrowed = build_narrowed(world)
    client.force_login(narrowed.technician)
    base = f"/iot/staff/{world.a.id}/devices"
    assert client.get(f"{base}/new").status_code == 404
    assert client.post(f"{base}/{site.co.pk}/token").status_code == 404
    assert "重新生成令牌" not in client.get(f"{base}/{site.co.pk}").content.decode()


# --- a sheet of devices --------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_xlsx_registers_every_device_with_its_token(world, site, api):
    client = api(world.staff)
    sheet = xlsx(
        ("smoke-b1-7", "7楼烟感", "烟感", "1号楼", 7, "电梯厅"),
        ("co-b1-8", "", "co", "1号楼", -1, ""),
        ("fan-x", "车库排风", "排风机", None, None, None),
    )
    answer = client.client.post(f"/api/v1/iot/devices/import?community={world.a.id}", {"file": sheet})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["created"] == 3
    tokens = {d["code"]: d["token"] for d in body["devices"]}
    created = Device.objects.filter(code__in=tokens)
    assert created.count() == 3 and DeviceState.objects.filter(device__in=created).count() == 3
    smoke = Device.objects.get(code="smoke-b1-7")
    assert (smoke.profile.kind, smoke.building_id, smoke.floor, smoke.place) == (
        "smoke",
        world.building.pk,
        7,
        "电梯厅",
    )
    assert Device.objects.get(code="co-b1-8").name == "co-b1-8"  # no name: the code
    assert sends(client.client, world.a.code, "co-b1-8", tokens["co-b1-8"]) == 202


@pytest.mark.django_db
def test_one_bad_row_creates_none_and_every_bad_row_is_named(world, site, api):
    client = api(world.staff)
    before = Device.objects.count()
    sheet = xlsx(
        ("ok-1", "好的", "烟感", "1号楼", 3, ""),
        ("ok-1", "重复", "烟感", "", "", ""),
        (site.co.code, "已存在", "烟感", "", "", ""),
        ("bad code!", "", "冰箱", "9号楼", "三楼", ""),
    )
    answer = client.client.post(f"/api/v1/iot/devices/import?community={world.a.id}", {"file": sheet})
    assert answer.status_code == 422
    body = orjson.loads(answer.content)
    assert body["code"] == "import_has_errors" and "未导入任何数据" in body["message"]
    errors = {(e["row"], e["column"]): e for e in body["errors"]}
    assert errors[(3, "编号")]["code"] == "duplicate_code" and "第2行" in errors[(3, "编号")]["message"]
    assert errors[(4, "编号")]["message"] == "设备编号已存在"
    assert errors[(5, "编号")]["code"] == "bad_code"
    assert errors[(5, "设备类型")]["message"] == "没有这个设备档案或设备类型"
    assert errors[(5, "楼栋")]["message"] == "楼栋不存在"
    assert errors[(5, "楼层")]["code"] == "bad_floor"
    assert (2, "编号") not in errors
    assert Device.objects.count() == before


@pytest.mark.django_db
def test_files_that_are_not_a_device_sheet_are_refused(world, site, api, settings):
    client = api(world.staff)
    url = f"/api/v1/iot/devices/import?community={world.a.id}"
    not_xlsx = io.BytesIO(b"code,name\nx,y\n")
    not_xlsx.name = "devices.csv"
    assert client.client.post(url, {"file": not_xlsx}).json()["code"] == "unsupported_format"
    no_code = xlsx(("a", "烟感"), header=("名称", "设备类型"))
    assert client.client.post(url, {"file": no_code}).json()["code"] == "missing_columns"
    too_many = xlsx(*((f"d{n}", "", "烟感") for n in range(MAX_IMPORT_ROWS + 1)))
    answer = client.client.post(url, {"file": too_many})
    assert answer.status_code == 400 and answer.json()["code"] == "too_many_rows"
    settings.LINLI_MAX_UPLOAD_BYTES = 100
    big = client.client.post(url, {"file": xlsx(("d1", "", "烟感"))})
    assert big.status_code == 413 and big.json()["code"] == "file_too_large"
    assert not Device.objects.filter(code__startswith="d").exists()


@pytest.mark.django_db
def test_narrowed_staff_import_only_into_their_building(world, site, api):
    from linli.testing import factories as f

    narrowed = build_narrowed(world)
    manager = f.staff(world.a, "property_manager", "pm_1", building=world.building)
    answer = api(manager).client.post(
        f"/api/v1/iot/devices/import?community={world.a.id}",
        {"file": xlsx(("b1-x", "", "烟感", "1号楼"), ("b2-x", "", "烟感", narrowed.other_building.name))},
    )
    assert answer.status_code == 422
    assert [(e["row"], e["column"], e["code"]) for e in answer.json()["errors"]] == [(3, "楼栋", "forbidden")]
    assert api(narrowed.technician).client.post(
        f"/api/v1/iot/devices/import?community={world.a.id}", {"file": xlsx(("b1-y", "", "烟感", "1号楼"))}
    ).status_code in (403, 404)
    assert not Device.objects.filter(code__in=("b1-x", "b2-x", "b1-y")).exists()


@pytest.mark.django_db
def test_the_console_import_reports_rows_then_shows_tokens_once(client, world, site):
    client.force_login(world.staff)
    url = f"/iot/staff/{world.a.id}/devices/import"
    template = client.get(url, {"template": "1"})
    header = next(load_workbook(io.BytesIO(template.content)).active.iter_rows(values_only=True))
    assert header == HEADER
    bad = client.post(url, {"file": xlsx(("k-1", "", "烟感"), ("k-2", "", "不存在的类型"))})
    page = bad.content.decode()
    assert "未登记任何设备" in page and "不存在的类型" not in page and "没有这个设备档案或设备类型" in page
    assert not Device.objects.filter(code__startswith="k-").exists()
    good = client.post(url, {"file": xlsx(("k-1", "", "烟感"), ("k-2", "", "烟感"))})
    page = good.content.decode()
    assert "已登记 2 台设备" in page and page.count("data-token>lnd_") == 2
    assert "data:application/vnd.openxmlformats" in page and "no-store" in good["Cache-Control"]
    assert Device.objects.filter(code__startswith="k-").count() == 2
