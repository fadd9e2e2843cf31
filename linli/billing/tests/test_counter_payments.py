"""Counter payments (FEE-3) through the API, as the front desk takes them: find the house, see
its open bills, take cash, card or transfer for one or several bills (oldest first) or as a
prepayment, for a resident in person or on their behalf (代办). Every test that posts proves the
ledger afterwards."""

import sys
import threading
import time
from datetime import date

import pytest
from django.db import connection, transaction

from linli.billing.choices import BillStatus, PaymentStatus
from linli.billing.models import Bill, HouseAccount, LedgerTransaction, Payment, PaymentAllocation, Receipt
from linli.billing.services import counter, ledger
from linli.billing.services.settle import settle
from linli.core.models import AuditEntry
from linli.notify.models import Notification
from linli.testing.billing_counter import (
    issue_bill,
    ledger_proved,  # noqa: F401  (autouse: the ledger proved after each test)
    void_bill,
)

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def pay(api, user, house, **body):
    body = {"channel": "cash", "idempotency_key": f"key-{next(_keys):08d}", **body}
    return api(user).post(f"/billing/counter/houses/{house.pk}/payments", body)


_keys = iter(range(10**9))


def assert_ledger_ok():
    report = ledger.verify()
    assert report.ok, report.problems


@pytest.fixture
def bills(world):
    """Two open bills of the owner's flat, February's issued before January's (the counter must
    still pay January first), and one of the neighbour's."""
    feb = issue_bill(world.house, 20000, FEB, payer=world.owner_person)
    jan = issue_bill(world.house, 10000, JAN, payer=world.owner_person)
    other = issue_bill(world.neighbour_house, 5000, JAN)
    return jan, feb, other


def test_the_front_desk_finds_a_house_by_number_name_or_phone(world, api):
    client = api(world.front_desk)
    for q in ("301", "王建", "13800000001"):
        r = client.get("/billing/counter/houses", {"community": world.a.id, "q": q})
        assert r.status_code == 200, r.content
        assert world.house.pk in [h["id"] for h in r.json()], q
    assert (
        api(world.outsider).get("/billing/counter/houses", {"community": world.a.id, "q": "301"}).status_code
        == 404
    )


def test_it_shows_the_open_bills_oldest_first_with_what_is_owed(world, api, bills):
    jan, feb, _ = bills
    r = api(world.front_desk).get(f"/billing/counter/houses/{world.house.pk}")
    assert r.status_code == 200
    body = r.json()
    assert [b["id"] for b in body["open_bills"]] == [jan.pk, feb.pk]
    assert body["owed_fen"] == 30000 and body["prepaid_fen"] == 0
    assert "王*国" in [p["name"] for p in body["household"]]
    assert "王建国" not in r.content.decode()


@pytest.mark.parametrize(
    ("amount", "extra", "code", "jan_paid", "feb_paid", "prepaid"),
    [
        (5000, False, None, 5000, 0, 0),  # part of January
        (10000, False, None, 10000, 0, 0),  # exactly January
        (25000, False, None, 10000, 15000, 0),  # January, then part of February
        (30000, False, None, 10000, 20000, 0),  # both in full
        (31000, False, "overpaid", 0, 0, 0),  # one yuan too much, not said to be a prepayment
        (31000, True, None, 10000, 20000, 1000),  # the extra yuan goes to the prepayment
    ],
)
def test_it_applies_the_money_to_the_oldest_bill_first(
    world, api, bills, amount, extra, code, jan_paid, feb_paid, prepaid
):
    jan, feb, _ = bills
    r = pay(
        api,
        world.front_desk,
        world.house,
        amount_fen=amount,
        bill_ids=[feb.pk, jan.pk],
        extra_to_prepayment=extra,
    )
    if code:
        assert (r.status_code, r.json()["code"]) == (400, code)
        assert "30" in r.json()["message"]  # says what the bills owe (300.00 元)
        assert not Payment.objects.exists()
    else:
        assert r.status_code == 201, r.content
        assert r.json()["to_prepayment_fen"] == prepaid
    jan.refresh_from_db()
    feb.refresh_from_db()
    assert (jan.paid_fen, feb.paid_fen) == (jan_paid, feb_paid)
    expected = {0: BillStatus.UNPAID, 10000: BillStatus.PAID}
    assert jan.status == expected.get(jan_paid, BillStatus.PARTLY_PAID)
    account = HouseAccount.objects.filter(house=world.house).first()
    assert (account.prepaid_fen if account else 0) == prepaid
    assert_ledger_ok()


def test_a_payment_for_two_bills_is_paid_posted_and_receipted_once(world, api, bills):
    jan, feb, _ = bills
    r = pay(api, world.front_desk, world.house, channel="card", amount_fen=30000, bill_ids=[jan.pk, feb.pk])
    assert r.status_code == 201
    payment = Payment.objects.get()
    assert (payment.status, payment.channel, payment.created_by) == (
        PaymentStatus.PAID,
        "card",
        world.front_desk,
    )
    assert payment.payer == world.owner_person and payment.on_behalf_of is None
    assert Bill.objects.filter(pk__in=[jan.pk, feb.pk], status=BillStatus.PAID).count() == 2
    receipt = Receipt.objects.get(payment=payment)
    assert r.json()["receipt"]["verify_code"] == receipt.verify_code
    assert LedgerTransaction.objects.filter(payment=payment).count() == 1
    entry = AuditEntry.objects.get(action="billing.counter_payment")
    assert entry.after["amount_fen"] == 30000 and entry.on_behalf_of == ""
    assert_ledger_ok()


def test_the_household_hears_once_that_its_money_arrived(
    world, api, bills, inline_tasks, django_capture_on_commit_callbacks
):
    jan, _, _ = bills
    body = {"amount_fen": 10000, "bill_ids": [jan.pk], "idempotency_key": "paid-message-1"}
    with django_capture_on_commit_callbacks(execute=True):
        pay(api, world.front_desk, world.house, **body)
        pay(api, world.front_desk, world.house, **body)  # a double click: no second message
    told = Notification.objects.filter(kind="billing.paid")
    receipt = Receipt.objects.get()
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted([world.owner.pk, world.tenant.pk])
    message = told.first()
    assert (message.title, message.link) == ("缴费成功", "/billing/receipts/")
    assert "¥100.00" in message.body and "现金" in message.body and receipt.number in message.body


def test_an_online_payment_leaves_the_message_to_the_provider(
    world, bills, inline_tasks, django_capture_on_commit_callbacks
):
    jan, _, _ = bills
    payment = Payment.objects.create(
        community_id=world.a.id,
        house=world.house,
        channel="sandbox",
        amount_fen=10000,
        out_trade_no="LLonline1",
    )
    PaymentAllocation.objects.create(payment=payment, bill=jan, amount_fen=10000)
    with django_capture_on_commit_callbacks(execute=True):
        settle(payment.pk)
    assert Bill.objects.get(pk=jan.pk).status == BillStatus.PAID
    assert not Notification.objects.filter(kind="billing.paid").exists()


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (-100, "invalid_amount"),
        (0, "invalid_amount"),
        (100.5, "invalid_amount"),
        ("99.01", "invalid_amount"),
        (10**9 + 1, "invalid_amount"),
    ],
)
def test_it_refuses_negative_zero_fractional_or_absurd_amounts(world, api, bills, amount, code):
    jan, _, _ = bills
    r = pay(api, world.front_desk, world.house, amount_fen=amount, bill_ids=[jan.pk])
    assert (r.status_code, r.json()["code"]) == (400, code)
    assert r.json()["fields"]["amount_fen"]  # a Chinese hint beside the field
    assert (
        not Payment.objects.exists()
        and not AuditEntry.objects.filter(action="billing.counter_payment").exists()
    )
    assert Bill.objects.get(pk=jan.pk).paid_fen == 0
    assert_ledger_ok()


def test_a_double_click_takes_the_money_once(world, api, bills):
    jan, _, _ = bills
    body = {"amount_fen": 10000, "bill_ids": [jan.pk], "idempotency_key": "same-form-123"}
    first = pay(api, world.front_desk, world.house, **body)
    again = pay(api, world.front_desk, world.house, **body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["replayed"] and again.json()["id"] == first.json()["id"]
    assert Payment.objects.count() == 1 and Bill.objects.get(pk=jan.pk).paid_fen == 10000
    changed = pay(api, world.front_desk, world.house, **{**body, "amount_fen": 9000})
    assert (changed.status_code, changed.json()["code"]) == (409, "idempotency_key_reused")
    assert_ledger_ok()


def test_the_same_key_from_another_desk_is_another_payment(world, api, bills):
    jan, feb, _ = bills
    from linli.testing import factories as f

    second_desk = f.staff(world.a, "front_desk", "desk2")
    assert (
        pay(
            api,
            world.front_desk,
            world.house,
            amount_fen=10000,
            bill_ids=[jan.pk],
            idempotency_key="k-00000001",
        ).status_code
        == 201
    )
    assert (
        pay(
            api, second_desk, world.house, amount_fen=20000, bill_ids=[feb.pk], idempotency_key="k-00000001"
        ).status_code
        == 201
    )
    assert Payment.objects.count() == 2
    assert_ledger_ok()


def test_paying_for_an_elderly_resident_records_whom_for(world, api, bills):
    jan, _, _ = bills
    r = pay(
        api,
        world.front_desk,
        world.house,
        amount_fen=10000,
        bill_ids=[jan.pk],
        on_behalf_of=world.owner_person.pk,
    )
    assert r.status_code == 201
    payment = Payment.objects.get()
    assert payment.on_behalf_of == world.owner_person
    entry = AuditEntry.objects.get(action="billing.counter_payment")
    assert entry.on_behalf_of == f"王建国#{world.owner_person.pk}"
    assert entry.after["on_behalf_of"] == world.owner_person.pk
    assert_ledger_ok()


def test_on_behalf_of_must_be_someone_living_in_the_house(world, api, bills):
    jan, _, _ = bills
    neighbour = world.neighbour.people.get()
    r = pay(
        api, world.front_desk, world.house, amount_fen=10000, bill_ids=[jan.pk], on_behalf_of=neighbour.pk
    )
    assert (r.status_code, r.json()["code"]) == (400, "not_a_resident")
    outsider_person = world.outsider.people.get()  # of community B: not even findable
    r = pay(
        api,
        world.front_desk,
        world.house,
        amount_fen=10000,
        bill_ids=[jan.pk],
        on_behalf_of=outsider_person.pk,
    )
    assert r.status_code == 404
    assert not Payment.objects.exists()


def test_a_prepayment_goes_to_the_house_account(world, api):
    r = pay(api, world.front_desk, world.house, purpose="prepay", channel="transfer", amount_fen=50000)
    assert r.status_code == 201 and r.json()["to_prepayment_fen"] == 50000
    assert HouseAccount.objects.get(house=world.house).prepaid_fen == 50000
    assert_ledger_ok()


def test_it_refuses_bills_of_another_house_paid_or_void_ones_and_none(world, api, bills):
    jan, feb, other = bills
    void_bill(feb)
    for bill_ids in ([other.pk], [feb.pk], [jan.pk, other.pk]):
        r = pay(api, world.front_desk, world.house, amount_fen=5000, bill_ids=bill_ids)
        assert (r.status_code, r.json()["code"]) == (400, "bill_not_payable"), bill_ids
    r = pay(api, world.front_desk, world.house, amount_fen=5000, bill_ids=[])
    assert (r.status_code, r.json()["code"]) == (400, "no_bills")
    assert not Payment.objects.exists()


def test_online_channels_are_not_taken_at_the_counter(world, api, bills):
    jan, _, _ = bills
    r = pay(api, world.front_desk, world.house, channel="wechat", amount_fen=10000, bill_ids=[jan.pk])
    assert r.status_code == 422
    with pytest.raises(counter.ServiceError) as refused:
        counter.do_take_counter_payment(
            actor=world.front_desk,
            house=world.house,
            channel="wechat",
            amount_fen=1,
            idempotency_key="abcdefgh",
        )
    assert refused.value.code == "invalid_channel"


def waits_to_write(thread: threading.Thread) -> bool:
    """Whether `thread` has done its reads and now waits for the write this test holds: on
    PostgreSQL, a backend waiting for a lock; on SQLite, the thread queued for the process's
    writer lock (linli.core.sqlite), which every transaction takes first."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # fresh, not this transaction's copy
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            return cursor.fetchone()[0] > 0
    frame = sys._current_frames().get(thread.ident or 0)
    while frame is not None:
        if frame.f_code.co_name == "_start_transaction_under_autocommit":
            return True
        frame = frame.f_back
    return False


@pytest.mark.django_db(transaction=True)
def test_a_bill_paid_elsewhere_meanwhile_takes_nothing(world, api, bills):
    """The counter reads the bill, and another desk pays it before the counter's payment
    settles (the other desk's transaction holds the write while this one has read and waits):
    the counter's payment is refused whole — no money to the prepayment by surprise, no
    half-written rows."""
    jan, _, _ = bills
    desk = api(world.front_desk)  # signed in before the race: the sign-in writes too
    answers = []

    def submit():
        try:
            body = {
                "channel": "cash",
                "amount_fen": 10000,
                "bill_ids": [jan.pk],
                "idempotency_key": "k-stale01",
            }
            answers.append(desk.post(f"/billing/counter/houses/{world.house.pk}/payments", body))
        finally:
            connection.close()

    with transaction.atomic():
        counter.do_take_counter_payment(
            actor=world.staff,
            house=world.house,
            channel="cash",
            amount_fen=10000,
            idempotency_key="k-other-desk",
            bill_ids=[jan.pk],
        )
        racer = threading.Thread(target=submit)
        racer.start()
        deadline = time.monotonic() + 4  # within SQLite's 5 s lock timeout
        while not waits_to_write(racer):
            assert racer.is_alive() and time.monotonic() < deadline, "the submit did not wait"
            time.sleep(0.01)
    racer.join()
    [r] = answers
    assert r.status_code == 409, r.content
    assert r.json()["code"] == "bill_changed"
    assert Payment.objects.get().created_by == world.staff and Receipt.objects.count() == 1
    assert not HouseAccount.objects.filter(prepaid_fen__gt=0).exists()
    assert Bill.objects.get(pk=jan.pk).paid_fen == 10000
    assert_ledger_ok()


def test_who_may_not_take_payments(world, api, bills):
    jan, _, _ = bills
    for user in (world.technician, world.owner, world.outsider, world.grid_worker):
        r = pay(api, user, world.house, amount_fen=10000, bill_ids=[jan.pk])
        assert r.status_code in (403, 404), user
        assert api(user).get(f"/billing/counter/houses/{world.house.pk}").status_code == 404
    assert not Payment.objects.exists()
    assert pay(api, world.staff, world.house, amount_fen=10000, bill_ids=[jan.pk]).status_code == 201
    assert_ledger_ok()
