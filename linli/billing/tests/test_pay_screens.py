"""The pay screens through Django's test client, as a resident and as staff would use them
(the browser walk, with the event stream, is test_pay_e2e.py)."""

import re

from linli.billing.choices import BillStatus, PaymentStatus
from linli.billing.models import Bill, Payment, Refund, StatementLine
from linli.billing.tests.pay_support import assert_ledger_ok, make_bill
from linli.core.models import OutboxEvent


def test_a_resident_pays_a_bill_in_three_taps_through_the_sandbox(world, browser):
    bill = make_bill(world.house, 22375)
    phone = browser(world.owner)
    page = phone.get("/billing/").content.decode()
    assert "1号楼-1单元-301" in page and "¥223.75" in page and "89.50㎡ × 2.50元/㎡·月" in page
    # tap 1: 缴费 ¥223.75 (the house's open bills are ticked)
    r = phone.post("/billing/pay/", {"house": world.house.pk, "bill": [bill.pk], "channel": "sandbox"})
    assert r.status_code == 302
    order_page = phone.get(r["Location"]).content.decode()
    assert "等待支付" in order_page and "<svg" in order_page  # a QR for another phone, too
    qr = re.search(r"<svg[^>]*>", order_page).group(0)
    assert "viewBox" in qr and "width=" not in qr  # scales to a narrow phone's width
    go = re.search(r'href="(/billing/sandbox/pay/[^"]+)"', order_page).group(1)
    # tap 2: 去支付; tap 3: 确认支付 on the sandbox's cashier
    assert "确认支付" in phone.get(go).content.decode()
    r = phone.post(go)
    assert r.status_code == 302
    assert "支付成功" in phone.get(r["Location"]).content.decode()
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.PAID
    assert OutboxEvent.objects.filter(topic="billing.paid", user_id=world.owner.pk).exists()
    history = phone.get("/billing/payments/").content.decode()
    assert "¥223.75" in history
    assert "没有待缴账单" in phone.get("/billing/").content.decode()
    assert_ledger_ok()


def test_nobody_else_pays_or_sees_my_order(world, browser):
    bill = make_bill(world.house, 100)
    r = browser(world.owner).post("/billing/pay/", {"house": world.house.pk, "bill": [bill.pk]})
    order_url = r["Location"]
    no = order_url.rstrip("/").rsplit("/", 1)[1]
    assert browser(world.neighbour).get(order_url).status_code == 404
    assert browser(world.neighbour).post(f"/billing/sandbox/pay/{no}").status_code == 404
    assert (
        browser(world.outsider)
        .post("/billing/pay/", {"house": world.house.pk, "bill": [bill.pk]})
        .status_code
        == 404
    )
    assert browser().get("/billing/").status_code == 302  # sign in first
    assert Payment.objects.get().status == PaymentStatus.PENDING


def test_a_prepayment_from_the_page(world, browser):
    phone = browser(world.owner)
    assert "预存物业费" in phone.get("/billing/prepay/").content.decode()
    r = phone.post("/billing/pay/", {"house": world.house.pk, "purpose": "prepay", "amount": "100.5"})
    assert Payment.objects.get().amount_fen == 10050
    bad = phone.post(
        "/billing/pay/", {"house": world.house.pk, "purpose": "prepay", "amount": "1.005"}, follow=True
    )
    assert "金额最多两位小数（精确到分）" in bad.content.decode()
    assert r.status_code == 302


def test_staff_see_payments_request_and_approve_a_refund(world, browser):
    bill = make_bill(world.house, 22375)
    owner = browser(world.owner)
    go = owner.post("/billing/pay/", {"house": world.house.pk, "bill": [bill.pk]})["Location"]
    no = go.rstrip("/").rsplit("/", 1)[1]
    owner.post(f"/billing/sandbox/pay/{no}")
    desk = browser(world.front_desk)
    assert no in desk.get(f"/billing/c/{world.a.pk}/payments/").content.decode()
    r = desk.post(
        f"/billing/c/{world.a.pk}/refunds/", {"out_trade_no": no, "amount": "23.75", "reason": "面积核减"}
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    refund = Refund.objects.get()
    assert refund.amount_fen == 2375
    too_much = desk.post(
        f"/billing/c/{world.a.pk}/refunds/", {"out_trade_no": no, "amount": "300", "reason": "x"}
    )
    assert "退款金额超过可退金额" in too_much.content.decode()
    assert (
        desk.post(f"/billing/c/{world.a.pk}/refunds/{refund.pk}/approve/").status_code == 404
    )  # not a manager
    manager = browser(world.staff)
    assert "批准" in manager.get(f"/billing/c/{world.a.pk}/refunds/").content.decode()
    manager.post(f"/billing/c/{world.a.pk}/refunds/{refund.pk}/approve/")
    assert Refund.objects.get().status == "done"
    assert Bill.objects.get(pk=bill.pk).owed_fen == 2375
    assert_ledger_ok()


def test_a_manager_reconciles_a_day_on_the_console(world, browser):
    bill = make_bill(world.house, 500)
    owner = browser(world.owner)
    no = (
        owner.post("/billing/pay/", {"house": world.house.pk, "bill": [bill.pk]})["Location"]
        .rstrip("/")
        .rsplit("/", 1)[1]
    )
    owner.post(f"/billing/sandbox/pay/{no}")
    manager = browser(world.staff)
    page = f"/billing/c/{world.a.pk}/reconciliation/"
    from django.utils import timezone

    day = timezone.localdate().isoformat()
    r = manager.post(page, {"d-provider": "sandbox", "d-day": day})
    assert r.status_code == 302
    shown = manager.get(r["Location"]).content.decode()
    assert "一致" in shown and no in shown
    assert StatementLine.objects.get().result == "matched"
    assert browser(world.front_desk).get(page).status_code == 404
    assert browser(world.outsider).get(page).status_code == 404


def test_the_services_page_offers_paying(world, browser):
    page = browser(world.owner).get("/services/").content.decode()
    assert 'data-tile="pay"' in page and "/billing/" in page
