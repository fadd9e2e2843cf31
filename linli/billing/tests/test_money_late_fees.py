"""Late fees (滞纳金): off by default, a daily rate on the principal, capped, charged once a day."""

from datetime import date, timedelta

import pytest

from linli.billing.choices import FeeKind
from linli.billing.models import Bill, FeeItem, LedgerTransaction
from linli.billing.services import ledger
from linli.billing.services.late_fees import charge_late_fees, late_fee_due
from linli.testing import billing_money as m

# principal, daily rate (‱), cap (‱ of principal), days late → late fee, by hand.
CASES = [
    (10000, 5, 1000, 0, 0),  # due today: nothing
    (10000, 5, 1000, 1, 5),  # 10000 × 0.0005
    (10000, 5, 1000, 30, 150),
    (10000, 5, 1000, 200, 1000),  # 200 × 5 = 1000 fen: exactly at the cap
    (10000, 5, 1000, 201, 1000),  # capped at 10 % of the principal
    (22375, 5, 1000, 7, 78),  # 22375 × 35 / 10000 = 78.3125 → 78 (never rounded up)
    (22375, 5, 1000, 365, 2237),  # cap 2237.5 → 2237
    (999, 3, 500, 10, 2),  # 2.997 → 2
    (10000, 0, 1000, 30, 0),  # off
]


@pytest.mark.parametrize(("principal", "daily", "cap", "days", "fee"), CASES)
def test_late_fee_by_hand(principal, daily, cap, days, fee):
    assert late_fee_due(principal_fen=principal, daily_bp=daily, cap_bp=cap, days_late=days) == fee


DUE = date(2026, 10, 31)


@pytest.fixture
def item(world):
    return m.fee_item(world.a, late_fee_daily_bp=5, late_fee_cap_bp=1000)


def late_fee_of(bill) -> int:
    return Bill.objects.get(pk=bill.pk).late_fee_fen


def assert_ledger_ok():
    report = ledger.verify()
    assert report.ok, report.problems


def test_the_daily_job_charges_up_to_the_cap_and_once_a_day(world, item):
    bill = m.bill(world.house, item, 10000, due_on=DUE)
    assert charge_late_fees(DUE) == 0
    assert charge_late_fees(DUE + timedelta(days=1)) == 1
    assert charge_late_fees(DUE + timedelta(days=1)) == 0  # the same day again: nothing
    assert late_fee_of(bill) == 5
    charge_late_fees(DUE + timedelta(days=30))  # days the scheduler missed are caught up
    assert late_fee_of(bill) == 150
    charge_late_fees(DUE + timedelta(days=500))
    charge_late_fees(DUE + timedelta(days=501))
    assert late_fee_of(bill) == 1000  # the cap
    assert Bill.objects.get(pk=bill.pk).owed_fen == 11000
    posted = LedgerTransaction.objects.filter(kind="late_fee", entries__account="late_fee")
    assert sorted(posted.values_list("entries__credit_fen", flat=True)) == [5, 145, 850]
    assert_ledger_ok()


def test_off_by_default_and_never_on_paid_bills_or_deposits(world, item):
    plain = m.bill(world.house, m.fee_item(world.a, name="水费"), 10000, due_on=DUE)
    paid = m.bill(world.neighbour_house, item, 10000, due_on=DUE)
    m.pay(paid, 10000)
    deposit_item = m.fee_item(world.a, FeeKind.DEPOSIT, "装修押金", late_fee_daily_bp=5, late_fee_cap_bp=1000)
    deposit = m.bill(world.house, deposit_item, 10000, due_on=DUE)
    assert FeeItem._meta.get_field("late_fee_daily_bp").default == 0
    assert charge_late_fees(DUE + timedelta(days=10)) == 0
    assert [late_fee_of(b) for b in (plain, paid, deposit)] == [0, 0, 0]
    assert_ledger_ok()


def test_a_late_fee_is_paid_and_waived_like_the_rest_of_the_bill(world, api, item):
    bill = m.bill(world.house, item, 10000, due_on=DUE)
    charge_late_fees(DUE + timedelta(days=20))  # 100 fen
    m.pay(bill, 10000)
    assert Bill.objects.get(pk=bill.pk).status == "partly_paid"
    waiver = api(world.front_desk).post(
        f"/billing/bills/{bill.pk}/waivers", {"amount_fen": 100, "reason": "首次逾期，免收滞纳金"}
    )
    api(world.staff).post(f"/billing/waivers/{waiver.json()['id']}/approve")
    assert Bill.objects.get(pk=bill.pk).status == "paid"
    assert charge_late_fees(DUE + timedelta(days=40)) == 0  # paid: no more accrues
    assert_ledger_ok()


def test_the_policy_is_set_by_setup_staff_within_bounds(world, api):
    item = m.fee_item(world.a)
    url = f"/billing/fee-items/{item.pk}/late-fee-policy"
    r = api(world.staff).patch(url, {"late_fee_daily_bp": 5, "late_fee_cap_bp": 1000})
    assert (r.status_code, r.json()["late_fee_daily_bp"], r.json()["late_fee_cap_bp"]) == (200, 5, 1000)
    for body, code in (
        ({"late_fee_daily_bp": 5, "late_fee_cap_bp": 0}, "late_fee_cap_required"),
        ({"late_fee_daily_bp": 101, "late_fee_cap_bp": 1000}, "invalid_late_fee_policy"),
        ({"late_fee_daily_bp": 5, "late_fee_cap_bp": 10001}, "invalid_late_fee_policy"),
    ):
        r = api(world.staff).patch(url, body)
        assert (r.status_code, r.json()["code"]) == (400, code)
    assert api(world.front_desk).patch(url, {"late_fee_daily_bp": 0, "late_fee_cap_bp": 0}).status_code == 403
    item.refresh_from_db()
    assert (item.late_fee_daily_bp, item.late_fee_cap_bp) == (5, 1000)
