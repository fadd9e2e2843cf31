"""The counter's console pages as the front desk uses them (find → bills → take payment →
receipt), the desk close page, the reports' pages, and the navigation and home cards."""

import re
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from linli.billing.models import Bill, CashDeskClose, Payment
from linli.billing.services import ledger
from linli.testing.billing_counter import (
    issue_bill,
    ledger_proved,  # noqa: F401  (autouse: the ledger proved after each test)
)


@pytest.fixture
def desk(world):
    client = Client()
    client.force_login(world.front_desk)
    return client


@pytest.fixture
def bills(world):
    return [
        issue_bill(world.house, 22375, date(2026, 1, 1), payer=world.owner_person),
        issue_bill(world.house, 22375, date(2026, 2, 1), payer=world.owner_person),
    ]


def form_of(page: str) -> dict:
    key = re.search(r'name="key" value="([^"]+)"', page)[1]
    return {"key": key}


def test_the_front_desk_finds_the_house_and_takes_the_payment(world, desk, bills):
    base = f"/billing/c/{world.a.pk}"
    found = desk.get(f"{base}/counter/", {"q": "王建"}).content.decode()
    assert f"{base}/counter/{world.house.pk}/" in found
    page = desk.get(f"{base}/counter/{world.house.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "¥447.50" in text and "王*国" in text and "王建国" not in text
    assert 'value="447.50"' in text  # the amount owed, ready to take
    post = {
        **form_of(text),
        "purpose": "bills",
        "bills": [b.pk for b in bills],
        "channel": "cash",
        "amount": "447.50",
        "on_behalf_of": str(world.owner_person.pk),
    }
    r = desk.post(f"{base}/counter/{world.house.pk}/", post)
    assert r.status_code == 302
    payment = Payment.objects.get()
    assert (payment.amount_fen, payment.on_behalf_of) == (44750, world.owner_person)
    assert r["Location"] == f"{base}/receipts/{payment.receipt.pk}/"
    again = desk.post(f"{base}/counter/{world.house.pk}/", post)  # the double click
    assert again.status_code == 302 and Payment.objects.count() == 1
    receipt_page = desk.get(r["Location"]).content.decode()
    assert payment.receipt.verify_code in receipt_page and "¥447.50" in receipt_page
    assert Bill.objects.filter(status="paid").count() == 2
    assert ledger.verify().ok


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("447.505", "金额最多两位小数"),
        ("-1", "金额不能为负数"),
        ("abc", "金额应为数字，单位为元（例如 223.75）"),
        ("500", "金额超过所选账单应缴"),
    ],
)
def test_a_wrong_amount_reads_as_a_form_error(world, desk, bills, amount, message):
    url = f"/billing/c/{world.a.pk}/counter/{world.house.pk}/"
    post = {
        **form_of(desk.get(url).content.decode()),
        "purpose": "bills",
        "bills": [bills[0].pk],
        "channel": "cash",
        "amount": amount,
    }
    r = desk.post(url, post)
    assert r.status_code == 422 and message in r.content.decode()
    assert not Payment.objects.exists()


def test_the_desk_close_page(world, desk, bills):
    url = f"/billing/c/{world.a.pk}/counter/{world.house.pk}/"
    post = {
        **form_of(desk.get(url).content.decode()),
        "purpose": "bills",
        "bills": [bills[0].pk],
        "channel": "card",
        "amount": "223.75",
    }
    assert desk.post(url, post).status_code == 302
    page = desk.get(f"/billing/c/{world.a.pk}/desk/").content.decode()
    assert "¥223.75" in page and "1 笔" in page
    today = timezone.localdate().isoformat()
    short = desk.post(
        f"/billing/c/{world.a.pk}/desk/", {"day": today, "cash": "0", "card": "223.00", "transfer": "0"}
    )
    assert short.status_code == 422 and "请填写差异说明" in short.content.decode()
    ok = desk.post(
        f"/billing/c/{world.a.pk}/desk/",
        {"day": today, "cash": "0", "card": "223.00", "transfer": "0", "note": "刷卡机少记"},
    )
    assert ok.status_code == 302
    assert CashDeskClose.objects.get().difference_fen == -75
    assert "刷卡机少记" in desk.get(f"/billing/c/{world.a.pk}/desk/").content.decode()
    assert ledger.verify().ok


def test_the_reports_pages_open_for_billing_staff_only(world, desk, bills):
    for path in ("arrears/", "reports/", f"houses/{world.house.pk}/statement/"):
        r = desk.get(f"/billing/c/{world.a.pk}/{path}")
        assert r.status_code == 200, path
    assert "¥447.50" in desk.get(f"/billing/c/{world.a.pk}/arrears/").content.decode()
    tech = Client()
    tech.force_login(world.technician)
    for path in ("counter/", "desk/", "arrears/", "reports/"):
        assert tech.get(f"/billing/c/{world.a.pk}/{path}").status_code == 404, path


def test_the_console_and_the_resident_home_link_the_pages(world, desk):
    page = desk.get(f"/staff/c/{world.a.pk}/").content.decode()
    for label in ("柜台收费", "收银日结", "欠费统计", "收缴率"):
        assert label in page, label
    owner = Client()
    owner.force_login(world.owner)
    services = owner.get("/services/").content.decode()
    assert "/billing/receipts/" in services and "/billing/statement/" in services
