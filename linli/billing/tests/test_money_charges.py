"""One-off charges and deposits (装修押金) issued by staff; a deposit refunded in full or less
deductions, back through the channel it was paid in."""

import pytest

from linli.billing.choices import Channel, FeeKind
from linli.billing.models import Bill, FeeStandard, LedgerEntry, Payment, Refund
from linli.billing.providers.base import RefundResult
from linli.billing.services import charges, ledger
from linli.testing import billing_money as m


def assert_ledger_ok():
    report = ledger.verify()
    assert report.ok, report.problems


@pytest.fixture
def deposit_item(world):
    return m.fee_item(world.a, FeeKind.DEPOSIT, "装修押金", price="300000")


def issue(api, user, house, item, **body):
    return api(user).post(f"/billing/houses/{house.pk}/charges", {"fee_item_id": item.pk, **body})


def balances() -> dict:
    rows = LedgerEntry.objects.values_list("account", "debit_fen", "credit_fen")
    out: dict = {}
    for account, d, c in rows:
        out[account] = out.get(account, 0) + d - c
    return {k: v for k, v in out.items() if v}


def test_a_deposit_is_issued_at_the_standard_amount_and_held_as_a_deposit(world, api, deposit_item):
    r = issue(api, world.front_desk, world.house, deposit_item, note="301 装修押金")
    assert r.status_code == 201, r.json()
    bill = r.json()
    assert (bill["amount_fen"], bill["kind"], bill["note"], bill["deposit_held_fen"]) == (
        300000,
        "deposit",
        "301 装修押金",
        0,
    )
    assert Bill.objects.get(pk=bill["id"]).payer == world.owner_person
    assert balances() == {"receivable": 300000, "deposits": -300000}
    assert_ledger_ok()


def test_a_one_off_charge_is_revenue_and_staff_may_give_the_amount(world, api):
    item = m.fee_item(world.a, FeeKind.ONE_OFF, "门禁卡补办", price="2000")
    r = issue(api, world.front_desk, world.house, item, note="补办两张", amount_fen=4000)
    assert (r.status_code, r.json()["amount_fen"]) == (201, 4000)
    assert balances() == {"receivable": 4000, "revenue": -4000}
    again = issue(api, world.front_desk, world.house, item, note="再补一张")
    assert (again.status_code, again.json()["code"]) == (409, "charge_already_issued")
    listed = api(world.staff).get(f"/billing/communities/{world.a.pk}/charges").json()
    assert [c["note"] for c in listed] == ["补办两张"]
    assert_ledger_ok()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"note": "x", "amount_fen": -1}, "invalid_amount"),
        ({"note": "x", "amount_fen": 0.5}, "invalid_amount"),
        ({"note": "x", "amount_fen": 10**12}, "invalid_amount"),
        ({"note": " "}, "note_required"),
    ],
)
def test_bad_charges_are_refused(world, api, deposit_item, body, code):
    r = issue(api, world.front_desk, world.house, deposit_item, **body)
    assert (r.status_code, r.json()["code"]) == (400, code)
    assert not Bill.objects.exists()


def test_only_one_off_and_deposit_items_with_a_standard(world, api, deposit_item):
    r = issue(api, world.front_desk, world.house, m.fee_item(world.a), note="x")
    assert r.json()["code"] == "not_a_charge_item"
    FeeStandard.objects.filter(fee_item=deposit_item).update(effective_to="2020-12-31")
    assert (
        issue(api, world.front_desk, world.house, deposit_item, note="x").json()["code"] == "no_fee_standard"
    )
    assert issue(api, world.owner, world.house, deposit_item, note="x").status_code == 403


def paid_deposit(world, item, channel=Channel.CASH, fen=300000) -> Bill:
    bill = charges.do_issue_charge(actor=world.front_desk, house=world.house, fee_item=item, note="装修押金")
    m.pay(bill, fen, channel)
    return Bill.objects.get(pk=bill.pk)


def refund(api, user, bill, **body):
    return api(user).post(f"/billing/bills/{bill.pk}/deposit-refund", body)


def test_a_partial_refund_keeps_deductions_as_revenue_and_pays_the_rest_back_in_cash(
    world, api, deposit_item
):
    bill = paid_deposit(world, deposit_item)
    r = refund(api, world.staff, bill, refund_fen=250000, deduct_fen=50000, reason="损坏公共墙面")
    assert r.status_code == 200, r.json()
    assert r.json()["bill"]["deposit_held_fen"] == 0
    [done] = r.json()["refunds"]
    assert (done["amount_fen"], done["status"]) == (250000, "done")
    assert Payment.objects.get(pk=done["payment_id"]).refunded_fen == 250000
    # In 300000 cash, out 250000 cash; the deposit is gone; 50000 became revenue.
    assert balances() == {"cash": 50000, "revenue": -50000}
    again = refund(api, world.staff, bill, refund_fen=1)
    assert (again.status_code, again.json()["code"]) == (400, "deposit_refund_exceeds_held")
    assert_ledger_ok()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"refund_fen": 300001}, "deposit_refund_exceeds_held"),
        ({"refund_fen": 200000, "deduct_fen": 100001, "reason": "x"}, "deposit_refund_exceeds_held"),
        ({"refund_fen": 100000, "deduct_fen": 1000}, "reason_required"),
        ({"refund_fen": -5}, "invalid_amount"),
        ({"refund_fen": 10.5}, "invalid_amount"),
        ({"refund_fen": 0}, "invalid_amount"),
    ],
)
def test_bad_refunds_write_nothing(world, api, deposit_item, body, code):
    bill = paid_deposit(world, deposit_item)
    before = balances()
    r = refund(api, world.staff, bill, **body)
    assert (r.status_code, r.json()["code"]) == (400, code)
    assert Bill.objects.get(pk=bill.pk).deposit_released_fen == 0
    assert not Refund.objects.exists()
    assert balances() == before


def test_only_managers_refund_and_only_deposits(world, api, deposit_item):
    bill = paid_deposit(world, deposit_item)
    assert refund(api, world.front_desk, bill, refund_fen=100).status_code == 403
    fee = m.bill(world.house, m.fee_item(world.a), 1000)
    m.pay(fee, 1000)
    assert refund(api, world.staff, fee, refund_fen=100).json()["code"] == "not_a_deposit"
    assert_ledger_ok()


def test_an_online_deposit_goes_back_through_the_provider_seam(world, api, deposit_item, monkeypatch):
    bill = paid_deposit(world, deposit_item, Channel.WECHAT)
    r = refund(api, world.staff, bill, refund_fen=300000)
    assert (r.status_code, r.json()["code"]) == (503, "refund_provider_unavailable")
    assert not Refund.objects.exists() and Bill.objects.get(pk=bill.pk).deposit_released_fen == 0
    asked = []

    def provider(payment, fen, reason):
        asked.append((payment.channel, fen))
        return RefundResult(out_refund_no="x", accepted=True, done=False)

    monkeypatch.setattr(charges, "refund_online", provider)
    r = refund(api, world.staff, bill, refund_fen=300000)
    assert r.status_code == 200, r.json()
    assert asked == [("wechat", 300000)]
    assert r.json()["refunds"][0]["status"] == "pending"
    assert balances() == {}  # clearing in and out, the deposit gone
    assert_ledger_ok()


def test_deposits_list_shows_what_is_held(world, api, deposit_item):
    bill = paid_deposit(world, deposit_item, fen=100000)  # partly paid
    listed = api(world.front_desk).get(f"/billing/communities/{world.a.pk}/deposits").json()
    assert [(d["id"], d["deposit_held_fen"], d["owed_fen"]) for d in listed] == [(bill.pk, 100000, 200000)]
    assert api(world.outsider).get(f"/billing/communities/{world.a.pk}/deposits").status_code == 404
    assert_ledger_ok()


def test_a_charge_uses_only_a_published_standard(world, api, deposit_item):
    # Owners hear of a price before a bill carries it: an unpublished version bills no one.
    FeeStandard.objects.filter(fee_item=deposit_item).update(published_at=None)
    r = issue(api, world.front_desk, world.house, deposit_item, note="301 装修押金")
    assert (r.status_code, r.json()["code"]) == (400, "no_fee_standard")
    assert not Bill.objects.exists()
