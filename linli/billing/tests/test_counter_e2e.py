"""In a real browser (Debian's chromium via Playwright) against a live server: the front desk
finds 王建国's flat, takes cash for his two open bills on his behalf, prints the receipt; the
PDF is served, and the receipt's QR code, read off the screen as a phone's scanner would, opens
the public page that confirms it.

    .venv/bin/python -m pytest linli/billing/tests/test_counter_e2e.py -m e2e
"""

import io
import os
from datetime import date

import pytest

from linli.access.tests.test_e2e_access import browser, chromium, signed_in
from linli.billing.models import Payment
from linli.billing.services import ledger
from linli.testing.billing_counter import (
    issue_bill,
    ledger_proved,  # noqa: F401  (autouse: the ledger proved after each test)
)

pytestmark = pytest.mark.e2e
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The access app's browser set-up (Debian's chromium, one context per test, the event stream
# cut so pages poll): the same fixtures, not a copy.
__all__ = ["browser", "chromium"]


def qr_texts(page, selector: str) -> list[str]:
    """What a phone's scanner reads off the visible viewport."""
    import zxingcpp
    from PIL import Image

    page.locator(selector).scroll_into_view_if_needed()
    shot = Image.open(io.BytesIO(page.screenshot()))
    return [found.text for found in zxingcpp.read_barcodes(shot)]


def test_a_counter_payment_ends_with_a_receipt_the_public_page_confirms(
    transactional_db, live_server, world, chromium
):
    issue_bill(world.house, 22375, date(2026, 1, 1), payer=world.owner_person)
    issue_bill(world.house, 22375, date(2026, 2, 1), payer=world.owner_person, name="水费")

    desk = signed_in(chromium, live_server, world.front_desk, phone=False)
    desk.goto(f"{live_server.url}/billing/c/{world.a.pk}/counter/")
    desk.get_by_placeholder("房号、姓名或完整手机号").fill("13800000001")
    desk.get_by_role("button", name="筛选").click()
    desk.get_by_role("link", name="1号楼-1单元-301").click()
    assert desk.locator("#f-amount, #id_amount").input_value() == "447.50"
    desk.get_by_label("现金").check()
    desk.locator("#id_on_behalf_of").select_option(str(world.owner_person.pk))
    desk.get_by_role("button", name="确认收款").click()
    desk.locator("#receipt").wait_for()
    assert desk.locator("#receipt-total").inner_text() == "¥447.50"
    payment = Payment.objects.get()
    assert payment.on_behalf_of == world.owner_person and payment.channel == "cash"

    href = desk.get_by_role("link", name="打印 / 下载 PDF").get_attribute("href")
    pdf = desk.request.get(f"{live_server.url}{href}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-") and b"/STSong-Light" in pdf.body()

    verify_url = f"{live_server.url}/billing/r/{payment.receipt.verify_code}"
    assert qr_texts(desk, "#receipt .qr svg") == [verify_url]

    phone = signed_in(chromium, live_server)  # anyone holding the receipt
    phone.goto(verify_url)
    verified = phone.locator("#verified").inner_text()
    assert "此收据真实有效" in verified and "¥447.50" in verified and "王*国" in verified
    # The house, not "301" alone: the random receipt number may hold those digits.
    assert "王建国" not in phone.content() and "1号楼-1单元-301" not in phone.content()
    assert ledger.verify().ok
