"""Waivers (减免): staff ask, a manager who is not the asker approves; applied once, on approval."""

import pytest

from linli.billing.choices import BillStatus, FeeKind
from linli.billing.models import Bill, LedgerTransaction, Waiver
from linli.billing.services import ledger
from linli.core.models import AuditEntry
from linli.testing import billing_money as m
from linli.testing import factories as f


@pytest.fixture
def bill(world):
    return m.bill(world.house, m.fee_item(world.a), 10000)


def ask(api, user, bill, amount, reason="困难家庭减免"):
    return api(user).post(f"/billing/bills/{bill.pk}/waivers", {"amount_fen": amount, "reason": reason})


def assert_ledger_ok():
    report = ledger.verify()
    assert report.ok, report.problems


def test_a_front_desk_request_approved_by_the_manager_discounts_the_bill(world, api, bill):
    r = ask(api, world.front_desk, bill, 3000)
    assert r.status_code == 201, r.json()
    waiver = r.json()
    assert (waiver["status"], waiver["bill"]["owed_fen"]) == ("requested", 10000)  # nothing until approved
    queue = api(world.staff).get(f"/billing/communities/{world.a.pk}/waivers", {"status": "requested"}).json()
    assert [w["id"] for w in queue] == [waiver["id"]]
    r = api(world.staff).post(f"/billing/waivers/{waiver['id']}/approve")
    assert r.status_code == 200, r.json()
    assert (r.json()["status"], r.json()["decided_by"]) == ("approved", "staff")
    bill.refresh_from_db()
    assert (bill.discount_fen, bill.owed_fen, bill.status) == (3000, 7000, BillStatus.UNPAID)
    txn = LedgerTransaction.objects.get(kind="waiver")
    assert sorted(txn.entries.values_list("account", "debit_fen", "credit_fen")) == [
        ("discount", 3000, 0),
        ("receivable", 0, 3000),
    ]
    assert AuditEntry.objects.filter(action="waiver_approved").exists()
    assert_ledger_ok()


def test_waiving_all_that_is_owed_marks_a_partly_paid_bill_paid(world, api, bill):
    m.pay(bill, 6000)
    waiver_id = ask(api, world.front_desk, bill, 4000).json()["id"]
    api(world.staff).post(f"/billing/waivers/{waiver_id}/approve")
    bill.refresh_from_db()
    assert (bill.status, bill.owed_fen) == (BillStatus.PAID, 0)
    assert_ledger_ok()


@pytest.mark.parametrize(
    ("amount", "reason", "code"),
    [
        (-100, "x", "invalid_amount"),
        (0, "x", "invalid_amount"),
        (12.5, "x", "invalid_amount"),
        ("100.01", "x", "invalid_amount"),
        (10001, "x", "waiver_exceeds_owed"),
        (100, "  ", "reason_required"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_written(world, api, bill, amount, reason, code):
    r = ask(api, world.front_desk, bill, amount, reason)
    assert (r.status_code, r.json()["code"]) == (400, code)
    assert r.json()["message"]  # a Chinese sentence, not a type error
    assert not Waiver.objects.exists()


def test_only_a_manager_other_than_the_asker_decides_and_only_once(world, api, bill):
    waiver_id = ask(api, world.staff, bill, 1000).json()["id"]  # the manager asks this time
    assert api(world.front_desk).post(f"/billing/waivers/{waiver_id}/approve").status_code == 403
    r = api(world.staff).post(f"/billing/waivers/{waiver_id}/approve")
    assert (r.status_code, r.json()["code"]) == (403, "waiver_own_request")
    assert api(world.admin).post(f"/billing/waivers/{waiver_id}/approve").status_code == 200
    r = api(world.admin).post(f"/billing/waivers/{waiver_id}/approve")
    assert (r.status_code, r.json()["code"]) == (409, "waiver_already_decided")
    r = api(world.admin).post(f"/billing/waivers/{waiver_id}/reject")
    assert (r.status_code, r.json()["code"]) == (409, "waiver_already_decided")
    assert Bill.objects.get(pk=bill.pk).discount_fen == 1000  # once
    assert LedgerTransaction.objects.filter(kind="waiver").count() == 1
    assert_ledger_ok()


def test_a_deposit_is_not_waived(world, api):
    deposit = m.bill(world.house, m.fee_item(world.a, FeeKind.DEPOSIT, "装修押金"), 300000)
    r = ask(api, world.front_desk, deposit, 1000)
    assert (r.status_code, r.json()["code"]) == (400, "deposit_not_waivable")


def test_residents_and_the_committee_may_not_ask(world, api, bill):
    committee = f.staff(world.a, "committee_member", "committee")
    assert ask(api, world.owner, bill, 100).status_code == 403
    assert ask(api, committee, bill, 100).status_code == 403
    assert ask(api, world.outsider, bill, 100).status_code == 404


def test_a_rejected_waiver_changes_nothing(world, api, bill):
    waiver_id = ask(api, world.front_desk, bill, 1000).json()["id"]
    r = api(world.staff).post(f"/billing/waivers/{waiver_id}/reject")
    assert r.json()["status"] == "rejected"
    assert Bill.objects.get(pk=bill.pk).discount_fen == 0
    assert not LedgerTransaction.objects.filter(kind="waiver").exists()


def test_approval_of_more_than_is_now_owed_applies_nothing(world, api, bill):
    waiver_id = ask(api, world.front_desk, bill, 5000).json()["id"]
    m.pay(bill, 6000)  # paid meanwhile: 4000 left
    r = api(world.staff).post(f"/billing/waivers/{waiver_id}/approve")
    assert (r.status_code, r.json()["code"]) == (400, "waiver_exceeds_owed")
    assert Waiver.objects.get(pk=waiver_id).status == "requested"  # rolled back with the bill
    assert Bill.objects.get(pk=bill.pk).discount_fen == 0
    assert_ledger_ok()
