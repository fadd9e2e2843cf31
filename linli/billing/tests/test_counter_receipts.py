"""Receipts: the Chinese PDF (reportlab's built-in STSong-Light, no font file), who may download
it, the counter's print view and the public verification page its QR code opens."""

import re
import zlib
from datetime import date

import pytest
import segno
from django.test import Client

from linli.billing.models import Receipt
from linli.billing.services import ledger
from linli.billing.services.receipts import receipt_view
from linli.testing.billing_counter import (
    issue_bill,
    ledger_proved,  # noqa: F401  (autouse: the ledger proved after each test)
)


@pytest.fixture
def receipt(world, api):
    """A counter payment of 300.01 元 for two bills, one more yuan to the prepayment, 代办 for 王建国."""
    jan = issue_bill(world.house, 10000, date(2026, 1, 1), payer=world.owner_person)
    feb = issue_bill(world.house, 19901, date(2026, 2, 1), payer=world.owner_person, name="水费")
    body = {
        "channel": "cash",
        "amount_fen": 30001,
        "bill_ids": [jan.pk, feb.pk],
        "extra_to_prepayment": True,
        "on_behalf_of": world.owner_person.pk,
        "idempotency_key": "receipt-test-1",
    }
    r = api(world.front_desk).post(f"/billing/counter/houses/{world.house.pk}/payments", body)
    assert r.status_code == 201, r.content
    assert ledger.verify().ok
    return Receipt.objects.get(pk=r.json()["receipt"]["id"])


def pdf_text(content: bytes) -> str:
    """The page's text operators, with the Courier strings readable (STSong-Light text is CID
    hex); page compression is off, but decompress defensively."""
    streams = re.findall(rb"stream\r?\n(.*?)endstream", content, re.S)
    out = []
    for s in streams:
        try:
            out.append(zlib.decompress(s).decode("latin-1"))
        except zlib.error:
            out.append(s.decode("latin-1"))
    return "\n".join(out)


def cjk_strings(text: str) -> list[str]:
    """The strings drawn in the CID font: UCS-2 big-endian inside PDF literal strings."""
    found = []
    for literal in re.findall(r"/F\d+ [\d.]+ Tf [\d.]+ TL \((.*?)\) Tj", text, re.S):
        raw = re.sub(r"\\([0-7]{1,3}|.)", lambda m: chr(int(m[1], 8)) if m[1].isdigit() else m[1], literal)
        try:
            found.append(raw.encode("latin-1").decode("utf-16-be"))
        except UnicodeDecodeError:
            found.append(raw)
    return found


def courier_text(text: str) -> str:
    """The page's text with the octal escapes of its Latin strings read (¥ is written \\245)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), text)


def test_the_receipt_lists_each_bill_and_the_prepayment_to_the_fen(receipt):
    view = receipt_view(receipt)
    assert [(line.item, line.amount_fen) for line in view.lines] == [
        ("物业费", 10000),
        ("水费", 19901),
        ("余额转预存", 100),
    ]
    assert view.total_fen == 30001 and sum(line.amount_fen for line in view.lines) == 30001
    assert view.payer == "王*国" and view.on_behalf


def test_the_pdf_is_chinese_with_the_number_code_and_qr(world, receipt):
    client = Client()
    client.force_login(world.owner)
    r = client.get(f"/billing/receipts/{receipt.pk}.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    content = r.content
    assert content.startswith(b"%PDF-")
    assert b"/STSong-Light" in content and b"/UniGB-UCS2-H" in content  # the built-in CJK font
    assert b"FontFile" not in content  # no embedded font file
    text = pdf_text(content)
    assert f"({receipt.number})" in text and f"({receipt.verify_code})" in text
    assert f"/billing/r/{receipt.verify_code}" in text
    # The QR is drawn as filled squares: one per dark module of the code for the verify URL.
    url = f"http://testserver/billing/r/{receipt.verify_code}"
    dark = sum(sum(row) for row in segno.make(url, error="m").matrix)
    assert text.count(" re f") >= dark
    chinese = cjk_strings(text)
    for words in (
        "缴费收据",
        "幸福里小区",
        "王*国（柜台代办）",
        "物业费",
        "水费",
        "余额转预存",
    ):
        assert words in chinese, words
    # Amounts as every page writes them, in Courier (whose encoding has the ¥ that the CJK
    # font's may lack): the lines, the prepayment's 1.00 and the total.
    for amount in ("¥100.00", "¥199.01", "¥1.00", "¥300.01"):
        assert f"({amount})" in courier_text(text), amount


@pytest.mark.parametrize("who", ["owner", "tenant", "front_desk", "staff", "admin"])
def test_the_house_and_staff_in_scope_may_download_it(world, receipt, who):
    client = Client()
    client.force_login(getattr(world, who))
    assert client.get(f"/billing/receipts/{receipt.pk}.pdf").status_code == 200


@pytest.mark.parametrize("who", ["neighbour", "outsider", "technician", "grid_worker"])
def test_others_may_not(world, receipt, who):
    client = Client()
    client.force_login(getattr(world, who))
    assert client.get(f"/billing/receipts/{receipt.pk}.pdf").status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(receipt):
    r = Client().get(f"/billing/receipts/{receipt.pk}.pdf")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_the_public_page_confirms_the_receipt_with_the_masked_name_only(world, receipt):
    r = Client().get(f"/billing/r/{receipt.verify_code}")
    assert r.status_code == 200
    page = r.content.decode()
    assert "此收据真实有效" in page and receipt.number in page and "¥300.01" in page
    assert "王*国" in page
    for private in ("王建国", "301", "13800000001", "李小梅"):
        assert private not in page, private


def test_a_wrong_code_is_not_confirmed(receipt):
    r = Client().get("/billing/r/not-a-real-code")
    assert r.status_code == 404 and "未找到此收据" in r.content.decode()


def test_the_counter_prints_it_with_its_qr(world, receipt):
    client = Client()
    client.force_login(world.front_desk)
    r = client.get(f"/billing/c/{world.a.pk}/receipts/{receipt.pk}/")
    assert r.status_code == 200
    page = r.content.decode()
    assert receipt.verify_code in page and "<svg" in page and f"/billing/receipts/{receipt.pk}.pdf" in page
    assert client.get(f"/billing/c/{world.b.pk}/receipts/{receipt.pk}/").status_code == 404


def test_the_api_shows_it_to_staff_in_scope_only(world, api, receipt):
    r = api(world.front_desk).get(f"/billing/receipts/{receipt.pk}")
    assert r.status_code == 200 and r.json()["total_fen"] == 30001
    assert [line["amount_fen"] for line in r.json()["lines"]] == [10000, 19901, 100]
    assert api(world.outsider).get(f"/billing/receipts/{receipt.pk}").status_code == 404
    assert api(world.neighbour).get(f"/billing/receipts/{receipt.pk}").status_code == 404


def test_the_resident_lists_their_receipts(world, receipt):
    client = Client()
    client.force_login(world.tenant)
    page = client.get("/billing/receipts/").content.decode()
    assert f"/billing/receipts/{receipt.pk}.pdf" in page and "¥300.01" in page
    client.force_login(world.neighbour)
    assert f"/billing/receipts/{receipt.pk}.pdf" not in client.get("/billing/receipts/").content.decode()
