"""The money screens as staff and residents use them."""

from linli.billing.choices import FeeKind
from linli.billing.models import Bill, FeeItem, Waiver
from linli.billing.services import ledger
from linli.testing import billing_money as m


def test_a_waiver_is_asked_and_approved_on_the_queue_page(world, browser):
    bill = m.bill(world.house, m.fee_item(world.a), 10000)
    desk = browser(world.front_desk)
    url = f"/billing/c/{world.a.pk}/waivers/"
    r = desk.post(url, {"bill": bill.pk, "amount": "30.00", "reason": "困难家庭"})
    assert r.status_code == 302
    waiver = Waiver.objects.get()
    assert waiver.amount_fen == 3000
    r = desk.post(url, {"bill": bill.pk, "amount": "0.005", "reason": "x"})
    assert "金额最多两位小数（精确到分）" in r.content.decode()
    assert desk.post(f"{url}{waiver.pk}/approve/").status_code == 404  # the counter does not approve
    manager = browser(world.staff)
    page = manager.get(url).content.decode()
    assert "困难家庭" in page and "¥100.00" in page and "批准" in page
    assert manager.post(f"{url}{waiver.pk}/approve/").status_code == 302
    assert Bill.objects.get(pk=bill.pk).discount_fen == 3000
    assert "已批准" in manager.get(url).content.decode()
    assert ledger.verify().ok


def test_a_deposit_is_issued_and_refunded_on_the_deposits_page(world, browser):
    item = m.fee_item(world.a, FeeKind.DEPOSIT, "装修押金", price="300000")
    desk = browser(world.front_desk)
    url = f"/billing/c/{world.a.pk}/deposits/"
    r = desk.post(url, {"house": "1号楼-1单元-301", "fee_item": item.pk, "note": "厨房改造"})
    assert r.status_code == 302, r.content.decode()
    bill = Bill.objects.get()
    m.pay(bill, 300000)
    page = browser(world.staff).get(url).content.decode()
    assert "厨房改造" in page and "¥3,000.00" in page
    r = browser(world.staff).post(
        f"{url}{bill.pk}/refund/", {"refund": "2800", "deduct": "200", "reason": "墙面修补"}
    )
    assert r.status_code == 302
    assert Bill.objects.get(pk=bill.pk).deposit_released_fen == 300000
    assert ledger.verify().ok
    r = desk.post(url, {"house": "9号楼-1单元-101", "fee_item": item.pk, "note": "x"})
    assert "找不到该房屋" in r.content.decode()


def test_one_off_charges_and_late_fee_policy_pages(world, browser):
    card = m.fee_item(world.a, FeeKind.ONE_OFF, "门禁卡补办", price="2000")
    water = m.fee_item(world.a, FeeKind.WATER, "水费")
    staff = browser(world.staff)
    r = staff.post(
        f"/billing/c/{world.a.pk}/charges/",
        {"house": "1号楼-1单元-302", "fee_item": card.pk, "amount": "35", "note": "补办一张"},
    )
    assert r.status_code == 302
    assert Bill.objects.get().amount_fen == 3500
    assert "补办一张" in staff.get(f"/billing/c/{world.a.pk}/charges/").content.decode()
    url = f"/billing/c/{world.a.pk}/late-fees/"
    assert "水费" in staff.get(url).content.decode()
    staff.post(f"{url}{water.pk}/", {"daily_bp": 5, "cap_bp": 1000})
    assert FeeItem.objects.filter(pk=water.pk, late_fee_daily_bp=5, late_fee_cap_bp=1000).exists()
    assert (
        browser(world.front_desk).post(f"{url}{water.pk}/", {"daily_bp": 0, "cap_bp": 0}).status_code == 404
    )
    assert FeeItem.objects.get(pk=water.pk).late_fee_daily_bp == 5
    assert ledger.verify().ok


def test_the_console_menu_shows_the_money_pages(world, browser):
    page = browser(world.front_desk).get(f"/billing/c/{world.a.pk}/waivers/").content.decode()
    for label in ("减免审批", "押金", "一次性收费", "滞纳金规则"):
        assert label in page
    assert browser(world.technician).get(f"/billing/c/{world.a.pk}/waivers/").status_code == 404


def test_the_resident_sees_the_prepaid_balance_of_each_house(world, browser):
    m.prepay(world.house, 4000)
    page = browser(world.owner).get("/billing/my/prepaid/").content.decode()
    assert world.house.label in page and "¥40.00" in page
    other = browser(world.neighbour).get("/billing/my/prepaid/").content.decode()
    assert world.neighbour_house.label in other and "¥0.00" in other and world.house.label not in other
    assert ledger.verify().ok
