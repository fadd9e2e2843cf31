"""The cash-desk close (日结): per staff member and day, what the system says they took at the
counter per channel against what they counted; a difference needs a note; a day closes once and
links its payments; the manager sees every close, a cashier their own."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from linli.billing.choices import FeeKind
from linli.billing.models import CashDeskClose, Payment, Refund
from linli.billing.services import charges, ledger
from linli.core.models import AuditEntry
from linli.testing import billing_money as m
from linli.testing import factories as f
from linli.testing.billing_counter import (
    issue_bill,
    ledger_proved,  # noqa: F401  (autouse: the ledger proved after each test)
)


def take(api, user, house, fen, channel, key):
    bill = issue_bill(house, fen, date(2026, 1 + len(key) % 11, 1), name=f"项目{key}")
    body = {"channel": channel, "amount_fen": fen, "bill_ids": [bill.pk], "idempotency_key": f"desk-{key}"}
    r = api(user).post(f"/billing/counter/houses/{house.pk}/payments", body)
    assert r.status_code == 201, r.content
    return r.json()["id"]


def close(api, user, community, day, note="", **counted):
    body = {"day": str(day), "counted": counted, "note": note}
    return api(user).post(f"/billing/communities/{community.pk}/desk-closes", body)


@pytest.fixture
def takings(world, api):
    """The front desk took 100.00 cash twice and 250.50 by card today; the manager 30.00 cash."""
    ids = [
        take(api, world.front_desk, world.house, 10000, "cash", "a0000001"),
        take(api, world.front_desk, world.neighbour_house, 10000, "cash", "a0000002"),
        take(api, world.front_desk, world.house, 25050, "card", "a0000003"),
    ]
    take(api, world.staff, world.house, 3000, "cash", "b0000001")
    return ids


def test_it_shows_what_the_desk_should_hold(world, api, takings):
    r = api(world.front_desk).get("/billing/desk/expected", {"community": world.a.pk})
    assert r.status_code == 200
    assert r.json()["expected"] == {"cash": 20000, "card": 25050, "transfer": 0}
    assert r.json()["payments"] == 3


def test_a_balanced_close_links_the_days_payments_and_happens_once(world, api, takings):
    today = timezone.localdate()
    r = close(api, world.front_desk, world.a, today, cash=20000, card=25050)
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["difference_fen"], body["payments"]) == (0, 3)
    desk = CashDeskClose.objects.get(staff=world.front_desk)
    assert set(Payment.objects.filter(desk_close=desk).values_list("pk", flat=True)) == set(takings)
    assert Payment.objects.filter(created_by=world.staff, desk_close__isnull=True).count() == 1
    again = close(api, world.front_desk, world.a, today, cash=20000, card=25050)
    assert (again.status_code, again.json()["code"]) == (409, "desk_already_closed")
    assert AuditEntry.objects.filter(action="billing.desk_close").count() == 1
    assert ledger.verify().ok


def test_a_difference_needs_a_note_and_is_recorded(world, api, takings):
    today = timezone.localdate()
    short = close(api, world.front_desk, world.a, today, cash=19950, card=25050)
    assert (short.status_code, short.json()["code"]) == (400, "note_required")
    assert short.json()["fields"]["note"]
    assert (
        not CashDeskClose.objects.exists() and not Payment.objects.filter(desk_close__isnull=False).exists()
    )
    # The totals match but the channels do not (cash counted as card): still a difference.
    swapped = close(api, world.front_desk, world.a, today, cash=25050, card=20000)
    assert swapped.json()["code"] == "note_required"
    r = close(api, world.front_desk, world.a, today, note="找零少收五角", cash=19950, card=25050)
    assert r.status_code == 201
    assert (r.json()["difference_fen"], r.json()["note"]) == (-50, "找零少收五角")
    assert ledger.verify().ok


def test_a_payment_after_the_close_rolls_into_the_next_close(world, api, takings):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    Payment.objects.filter(pk__in=takings).update(paid_at=timezone.now() - timedelta(days=1))
    assert close(api, world.front_desk, world.a, yesterday, cash=20000, card=25050).status_code == 201
    late = take(api, world.front_desk, world.house, 700, "transfer", "a0000004")
    r = api(world.front_desk).get("/billing/desk/expected", {"community": world.a.pk})
    assert r.json()["expected"] == {"cash": 0, "card": 0, "transfer": 700}
    assert close(api, world.front_desk, world.a, today, transfer=700).json()["payments"] == 1
    assert Payment.objects.get(pk=late).desk_close.day == today
    assert ledger.verify().ok


@pytest.mark.parametrize(
    ("counted", "code"),
    [({"cash": -1}, "invalid_amount"), ({"cash": 100.5}, "invalid_amount")],
)
def test_it_refuses_negative_or_fractional_counts(world, api, takings, counted, code):
    r = close(api, world.front_desk, world.a, timezone.localdate(), note="x", **counted)
    assert (r.status_code, r.json()["code"]) == (400, code)
    assert not CashDeskClose.objects.exists()


def test_it_refuses_a_future_day(world, api):
    r = close(api, world.front_desk, world.a, timezone.localdate() + timedelta(days=1))
    assert (r.status_code, r.json()["code"]) == (400, "invalid_day")


def test_an_empty_day_closes_at_zero(world, api):
    r = close(api, world.front_desk, world.a, timezone.localdate())
    assert r.status_code == 201 and r.json()["payments"] == 0


def test_the_manager_sees_every_close_a_cashier_their_own(world, api, takings):
    today = timezone.localdate()
    other_desk = f.staff(world.a, "front_desk", "desk_b")
    assert close(api, world.front_desk, world.a, today, cash=20000, card=25050).status_code == 201
    assert close(api, world.staff, world.a, today, cash=3000).status_code == 201
    assert close(api, other_desk, world.a, today).status_code == 201

    def staff_of(user):
        r = api(user).get("/billing/desk-closes", {"community": world.a.pk})
        assert r.status_code == 200
        return sorted(c["staff"] for c in r.json())

    assert staff_of(world.staff) == sorted(str(u) for u in (world.front_desk, world.staff, other_desk))
    assert staff_of(world.front_desk) == [str(world.front_desk)]
    for user in (world.outsider, world.technician, world.owner):
        assert api(user).get("/billing/desk-closes", {"community": world.a.pk}).status_code == 404
        assert close(api, user, world.a, today).status_code in (403, 404)


def test_a_refund_handed_back_at_the_counter_reduces_the_close(world, api, browser):
    """300.00 taken in cash, 100.00 of it handed back (approved, so paid out of the desk): the
    close expects 200.00, shows the refund as its own line, and balances at 200.00 counted."""
    payment = take(api, world.staff, world.house, 30000, "cash", "c0000001")
    asked = api(world.front_desk).post(
        "/billing/refunds", {"payment": payment, "amount_fen": 10000, "reason": "多收退还"}
    )
    assert api(world.staff).post(f"/billing/refunds/{asked.json()['id']}/approve").json()["status"] == "done"
    r = api(world.staff).get("/billing/desk/expected", {"community": world.a.pk}).json()
    assert (r["expected"], r["handed_back"], r["payments"], r["refunds"]) == (
        {"cash": 20000, "card": 0, "transfer": 0},
        {"cash": 10000, "card": 0, "transfer": 0},
        1,
        1,
    )
    page = browser(world.staff).get(f"/billing/c/{world.a.pk}/desk/").content.decode()
    assert "退款 1 笔" in page and "-¥100.00" in page and "¥300.00" in page and "¥200.00" in page
    today = timezone.localdate()
    closed = close(api, world.staff, world.a, today, cash=20000)
    assert closed.status_code == 201, closed.content
    assert (closed.json()["difference_fen"], closed.json()["refunds"]) == (0, 1)
    assert Refund.objects.get().desk_close == CashDeskClose.objects.get()
    listed = api(world.staff).get("/billing/desk-closes", {"community": world.a.pk}).json()
    assert [(c["payments"], c["refunds"]) for c in listed] == [(1, 1)]
    assert "-¥100.00" in browser(world.staff).get(f"/billing/c/{world.a.pk}/desk/").content.decode()
    # The refund was the approver's to hand back: the front desk's own close is untouched.
    mine = api(world.front_desk).get("/billing/desk/expected", {"community": world.a.pk}).json()
    assert (mine["expected"]["cash"], mine["refunds"]) == (0, 0)
    assert ledger.verify().ok


def test_a_deposit_handed_back_in_cash_comes_out_of_the_managers_desk(world, api):
    item = m.fee_item(world.a, FeeKind.DEPOSIT, "装修押金", price="300000")
    bill = charges.do_issue_charge(actor=world.front_desk, house=world.house, fee_item=item, note="装修押金")
    body = {"channel": "cash", "amount_fen": 300000, "bill_ids": [bill.pk], "idempotency_key": "deposit-1"}
    assert (
        api(world.front_desk).post(f"/billing/counter/houses/{world.house.pk}/payments", body).status_code
        == 201
    )
    r = api(world.staff).post(f"/billing/bills/{bill.pk}/deposit-refund", {"refund_fen": 300000})
    assert r.json()["refunds"][0]["status"] == "done"
    taken = api(world.front_desk).get("/billing/desk/expected", {"community": world.a.pk}).json()
    handed = api(world.staff).get("/billing/desk/expected", {"community": world.a.pk}).json()
    assert (taken["expected"]["cash"], handed["expected"]["cash"]) == (300000, -300000)
    assert ledger.verify().ok
