"""In a real browser (Debian's chromium via Playwright) against a live server, the money pages as
staff and a resident use them: a property manager asks for a waiver (减免) on a bill, another
manager approves it in the console, and the resident's bill shows the lower amount; the front
desk issues a renovation deposit (装修押金) and takes it at the counter, and a manager gives
most of it back and keeps the rest for damage, with the reason.

    .venv/bin/python -m pytest linli/billing/tests/test_money_e2e.py -m e2e
"""

import os

import pytest

from linli.access.tests.test_e2e_access import browser, chromium, signed_in
from linli.billing.choices import Channel, FeeKind
from linli.billing.models import Bill, Refund
from linli.billing.services import ledger
from linli.testing import billing_money as m
from linli.testing.billing_counter import ledger_proved  # noqa: F401  (autouse: proved after each test)

pytestmark = pytest.mark.e2e
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The access app's browser set-up (Debian's chromium, one context per test, the event stream
# cut so pages poll): the same fixtures, not a copy.
__all__ = ["browser", "chromium"]


def console(chromium, live_server, user, page_name: str):
    """A staff member's console, reached from /staff/ through the left navigation."""
    page = signed_in(chromium, live_server, user, phone=False)
    page.goto(f"{live_server.url}/staff/")
    page.get_by_role("navigation", name="功能导航").get_by_role("link", name=page_name).click()
    return page


def resident_bills(page, house) -> str:
    return page.locator(f'form[data-house="{house.pk}"]').inner_text()


def test_a_waiver_asked_by_one_manager_and_approved_by_another_lowers_the_residents_bill(
    transactional_db, live_server, world, chromium
):
    bill = m.bill(world.house, m.fee_item(world.a, FeeKind.PROPERTY, "物业费"), 22375)
    resident = signed_in(chromium, live_server, world.owner)
    resident.goto(f"{live_server.url}/services/")
    resident.locator('[data-tile="pay"]').click()
    assert "¥223.75" in resident_bills(resident, world.house)

    asker = console(chromium, live_server, world.staff, "减免审批")
    asker.get_by_label("账单号").fill(str(bill.pk))  # the bill the resident asked about
    asker.get_by_label("减免金额（元）").fill("50")
    asker.get_by_label("减免原因").fill("六月停水三天，按物业服务合同减免")
    asker.get_by_role("button", name="提交申请").click()
    asker.get_by_text("减免申请已提交，等待经理审批").wait_for()
    pending = asker.locator("#pending-waivers").inner_text()
    assert "1号楼-1单元-301" in pending and "¥50.00" in pending and "需由其他经理审批" in pending
    assert asker.get_by_role("button", name="批准").count() == 0  # not their own request
    resident.reload()
    assert "¥223.75" in resident_bills(resident, world.house)  # nothing changes until approved

    approver = console(chromium, live_server, world.admin, "减免审批")
    approver.locator("#pending-waivers").get_by_role("button", name="批准").click()
    approver.get_by_text("已批准，减免已入账").wait_for()
    assert "没有待审批的减免" in approver.locator("main").inner_text()
    decided = approver.locator("#decided-waivers").inner_text()
    assert "已批准" in decided and "六月停水三天" in decided

    resident.reload()
    assert "¥173.75" in resident_bills(resident, world.house)
    assert resident.get_by_role("button", name="缴费 ¥173.75").is_visible()
    assert Bill.objects.get(pk=bill.pk).owed_fen == 17375
    assert ledger.verify().ok


def test_a_deposit_is_issued_taken_at_the_counter_and_refunded_less_a_deduction(
    transactional_db, live_server, world, chromium
):
    m.fee_item(world.a, FeeKind.DEPOSIT, "装修押金", price="200000")

    desk = console(chromium, live_server, world.front_desk, "押金")
    desk.get_by_label("房屋").fill("1号楼-1单元-301")
    desk.get_by_label("收费项目").select_option(label="装修押金")
    desk.get_by_label("收费说明").fill("301 厨卫改造")  # no amount: the standard's 2,000 元
    desk.get_by_role("button", name="开具").click()
    desk.get_by_text("账单已开具").wait_for()
    row = desk.locator("#charges tbody tr", has_text="301 厨卫改造")
    assert "¥2,000.00" in row.inner_text() and "未缴" in row.inner_text()

    desk.get_by_role("navigation", name="功能导航").get_by_role("link", name="柜台收费").click()
    desk.get_by_placeholder("房号、姓名或完整手机号").fill("301")
    desk.get_by_role("button", name="筛选").click()
    desk.get_by_role("link", name="1号楼-1单元-301").click()
    assert desk.locator("#id_amount").input_value() == "2000.00"
    desk.get_by_label("现金").check()
    desk.get_by_role("button", name="确认收款").click()
    desk.locator("#receipt").wait_for()
    assert desk.locator("#receipt-total").inner_text() == "¥2,000.00"
    assert "装修押金" in desk.locator("#receipt").inner_text()

    manager = console(chromium, live_server, world.staff, "押金")
    row = manager.locator("#charges tbody tr", has_text="301 厨卫改造")
    assert row.locator("td").nth(6).inner_text() == "¥2,000.00"  # held
    row.get_by_label("退还金额（元）").fill("1700")
    row.get_by_label("扣除金额（元）").fill("300")
    row.get_by_label("扣除原因").fill("损坏楼道墙面，修补费")
    row.get_by_role("button", name="退还").click()
    manager.get_by_text("押金已退还").wait_for()
    row = manager.locator("#charges tbody tr", has_text="301 厨卫改造")
    assert row.locator("td").nth(6).inner_text() == "¥0.00"  # nothing held any more
    assert row.get_by_role("button", name="退还").count() == 0

    manager.get_by_role("navigation", name="功能导航").get_by_role("link", name="退款").click()
    manager.locator("#refunds tbody tr").first.wait_for()  # the click only starts the navigation
    refunded = manager.locator("#refunds tbody tr").all_inner_texts()
    assert len(refunded) == 1 and "¥1,700.00" in refunded[0] and "损坏楼道墙面，修补费" in refunded[0]
    refund = Refund.objects.get()
    assert (refund.amount_fen, refund.payment.channel) == (170000, Channel.CASH)  # back in cash
    assert Bill.objects.get(fee_item__kind=FeeKind.DEPOSIT).deposit_released_fen == 200000
    assert ledger.verify().ok
