"""Reconciliation (FEE-6): a day's trade bill, downloaded or uploaded, against our payments
and refunds: matched, missing, extra, different; re-importing the same day changes nothing."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linli.billing.models import StatementLine
from linli.billing.tests.pay_support import (
    alipay_trade_bill,
    make_bill,
    merchant,
    paid_by_wechat,
    wechat_server,
    wechat_trade_bill,
)

__all__ = ["merchant", "wechat_server"]  # fixtures


def paid_online(api, world, fen):
    return paid_by_wechat(api, world.owner, make_bill(world.house, fen, month=fen % 12 + 1))


def results():
    return sorted(StatementLine.objects.values_list("out_trade_no", "kind", "result"))


def test_a_downloaded_wechat_bill_is_matched_line_by_line(merchant, wechat_server, world, api):
    ok, short, ours_only = (paid_online(api, world, fen) for fen in (22375, 10000, 5000))
    day = timezone.localdate(ok.paid_at)
    stamp = f"{day} 10:00:00"
    wechat_server.bill = wechat_trade_bill(
        [
            (stamp, ok.out_trade_no, 22375, "SUCCESS"),
            (stamp, short.out_trade_no, 9999, "SUCCESS"),
            (stamp, "LL20261205STRANGER0000000001", 700, "SUCCESS"),
        ]
    )
    r = api(world.staff).post(
        f"/billing/communities/{world.a.pk}/reconciliation/download", {"provider": "wechat", "day": str(day)}
    )
    assert r.status_code == 200, r.content
    assert r.json()["counts"] == {"matched": 1, "different": 1, "extra": 1, "missing": 1}
    assert results() == sorted(
        [
            (ok.out_trade_no, "payment", "matched"),
            (short.out_trade_no, "payment", "different"),
            ("LL20261205STRANGER0000000001", "payment", "extra"),
            (ours_only.out_trade_no, "payment", "missing"),
        ]
    )
    again = api(world.staff).post(
        f"/billing/communities/{world.a.pk}/reconciliation/download", {"provider": "wechat", "day": str(day)}
    )
    assert again.json() == r.json() and StatementLine.objects.count() == 4  # idempotent
    lines = api(world.staff).get(f"/billing/communities/{world.a.pk}/reconciliation/{day}").json()
    assert {line["result"] for line in lines} == {"matched", "different", "extra", "missing"}


def test_an_uploaded_alipay_bill_with_a_refund(merchant, world, api):
    # Alipay's file as its merchant console downloads it (zip, GBK); nothing of ours that day.
    data = alipay_trade_bill(
        [("2026-12-05 10:00:00", "LL1", 100, "交易"), ("2026-12-05 12:00:00", "LL1", 50, "退款")]
    )
    upload = SimpleUploadedFile("bill.zip", data, content_type="application/zip")
    r = api(world.staff).client.post(
        f"/api/v1/billing/communities/{world.a.pk}/reconciliation/import",
        {"provider": "alipay", "file": upload},
    )
    assert r.status_code == 200, r.content
    assert r.json() == [{"day": "2026-12-05", "counts": {"extra": 2}}]
    assert results() == [("LL1", "payment", "extra"), ("LL1", "refund", "extra")]


def test_a_file_that_is_not_a_trade_bill_is_refused(merchant, world, api):
    upload = SimpleUploadedFile("bill.csv", b"hello,world\n1,2\n")
    r = api(world.staff).client.post(
        f"/api/v1/billing/communities/{world.a.pk}/reconciliation/import",
        {"provider": "wechat", "file": upload},
    )
    assert (r.status_code, r.json()["code"]) == (400, "bad_statement")


def test_the_sandbox_bill_reconciles_with_what_its_page_collected(world, api, browser):
    bill = make_bill(world.house, 22375)
    placed = (
        api(world.owner)
        .post("/billing/my/orders", {"house": world.house.pk, "channel": "sandbox", "bills": [bill.pk]})
        .json()
    )
    browser(world.owner).post(placed["redirect_url"])
    day = timezone.localdate()
    r = api(world.staff).post(
        f"/billing/communities/{world.a.pk}/reconciliation/download", {"provider": "sandbox", "day": str(day)}
    )
    assert r.json()["counts"] == {"matched": 1}


def test_reconciliation_is_for_managers_of_the_community(merchant, world, api):
    body = {"provider": "wechat", "day": "2026-12-05"}
    assert (
        api(world.front_desk)
        .post(f"/billing/communities/{world.a.pk}/reconciliation/download", body)
        .status_code
        == 404
    )
    assert (
        api(world.outsider)
        .post(f"/billing/communities/{world.a.pk}/reconciliation/download", body)
        .status_code
        == 404
    )
    assert (
        api(world.owner)
        .get(f"/billing/communities/{world.a.pk}/reconciliation/{date(2026, 12, 5)}")
        .status_code
        == 404
    )
