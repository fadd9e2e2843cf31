"""The fee setup pages, as a property manager uses them: item, version, publish, preview, post."""

import pytest

from linli.billing.models import Bill, BillingRun, FeeItem, FeeStandard
from linli.billing.services import ledger
from linli.testing import factories as f

pytestmark = pytest.mark.django_db


def test_a_manager_sets_up_a_fee_and_posts_a_run_from_the_console(world, browser):
    client = browser(world.staff)
    base = f"/billing/c/{world.a.id}"
    empty = f.house(f.unit(world.building, "2单元"), "101", area="50.00")
    r = client.post(
        f"{base}/fee-items/",
        {"name": "物业费", "kind": "property", "cycle": "monthly", "payer_rule": "owner", "due_days": 30},
    )
    item = FeeItem.objects.get()
    assert r.status_code == 302 and r["Location"] == f"{base}/fee-items/{item.id}/"
    client.post(
        f"{base}/fee-items/{item.id}/",
        {"std-effective_from": "2026-01-01", "std-unit_price_fen": "250", "std-basis": "按合同"},
    )
    standard = FeeStandard.objects.get()
    page = client.get(f"{base}/fee-items/{item.id}/").content.decode()
    assert "第1版" in page and "草稿" in page
    client.post(f"{base}/standards/{standard.id}/publish/")
    assert FeeStandard.objects.get().published_at is not None

    r = client.post(f"{base}/fee-items/{item.id}/", {"run-period_start": "2026-03-01"})
    run = BillingRun.objects.get()
    assert r["Location"] == f"{base}/runs/{run.id}/"
    preview = client.get(r["Location"]).content.decode()
    assert "¥523.75" in preview  # 223.75 + 300: nobody owns 2单元-101, its days are not billed
    assert "89.50㎡ × 250.0000分 × 1月 = 22375.0000分" in preview
    assert "无业主的日期（不计费）" in preview and "1号楼-2单元-101" in preview
    assert "2026-03-01 至 2026-03-31" in preview
    assert not Bill.objects.exists()
    client.post(r["Location"])
    assert not Bill.objects.filter(house=empty).exists() and Bill.objects.count() == 2
    assert "已出账" in client.get(r["Location"]).content.decode()
    assert ledger.verify().ok


def test_a_bad_standard_shows_its_chinese_message_on_the_form(world, browser):
    client = browser(world.staff)
    item = FeeItem.objects.create(community=world.a, name="物业费", kind="property")
    FeeStandard.objects.create(
        fee_item=item,
        community=world.a,
        version=1,
        effective_from="2026-01-01",
        effective_to="2026-12-31",
        unit_price_fen=250,
    )
    r = client.post(
        f"/billing/c/{world.a.id}/fee-items/{item.id}/",
        {"std-effective_from": "2026-06-01", "std-unit_price_fen": "260"},
    )
    assert "生效期重叠" in r.content.decode()
    assert FeeStandard.objects.count() == 1


def test_the_front_desk_and_other_communities_do_not_see_fee_setup(world, browser):
    item = FeeItem.objects.create(community=world.a, name="物业费", kind="property")
    assert browser(world.front_desk).get(f"/billing/c/{world.a.id}/fee-items/").status_code == 404
    outsider = browser(world.outsider)
    assert outsider.get(f"/billing/c/{world.a.id}/fee-items/").status_code == 404
    assert outsider.get(f"/billing/c/{world.b.id}/fee-items/{item.id}/").status_code == 404


def test_readings_are_entered_and_imported_from_the_console(world, browser):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from linli.billing.models import MeterReading
    from linli.billing.tests.test_setup_readings import xlsx

    client = browser(world.staff)
    url = f"/billing/c/{world.a.id}/readings/"
    one = {"one-building": "1号楼", "one-unit": "1单元", "one-number": "301", "one-kind": "water"}
    r = client.post(url, {**one, "one-read_on": "2026-02-28", "one-value": "120.5"})
    assert r.status_code == 302 and MeterReading.objects.count() == 1
    lower = client.post(url, {**one, "one-read_on": "2026-03-31", "one-value": "20"})
    assert "低于上次读数" in lower.content.decode() and MeterReading.objects.count() == 1

    rows = [["1号楼", "1单元", "301", "水表", "2026-03-31", 20, "", ""]]  # lower, no meter change
    bad = client.post(url, {"form": "file", "file-file": SimpleUploadedFile("r.xlsx", xlsx(rows))})
    assert "未导入任何数据" in bad.content.decode() and MeterReading.objects.count() == 1
    rows = [["1号楼", "1单元", "301", "水表", "2026-03-31", 20, "是", 130]]
    checked = client.post(
        url, {"form": "file", "file-dry_run": "on", "file-file": SimpleUploadedFile("r.xlsx", xlsx(rows))}
    )
    assert "检查通过" in checked.content.decode() and MeterReading.objects.count() == 1
    done = client.post(url, {"form": "file", "file-file": SimpleUploadedFile("r.xlsx", xlsx(rows))})
    assert "已导入 1 行读数" in done.content.decode() and MeterReading.objects.count() == 2
