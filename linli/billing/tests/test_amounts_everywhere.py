"""The same mistake in an amount gets the same answer wherever it is made: the same code and
message from the counter, a resident's prepayment and a waiver over the API, the same message on
the counter's page and the prepayment page. Before, the counter said `fractional_fen`, the
prepayment a generic 422, a waiver a third sentence."""

from datetime import date

import pytest
from django.test import Client

from linli.billing.models import Payment, Waiver
from linli.billing.services.amounts import FRACTION_OF_FEN, NEGATIVE, NOT_FEN, TOO_LARGE, ZERO
from linli.testing.billing_counter import (
    issue_bill,
    ledger_proved,  # noqa: F401  (autouse: the ledger proved after each test)
)


@pytest.fixture
def bill(world):
    return issue_bill(world.house, 22375, date(2026, 1, 1), payer=world.owner_person)


def at_the_counter(api, world, bill, amount):
    body = {
        "channel": "cash",
        "idempotency_key": "amount-check-1",
        "bill_ids": [bill.pk],
        "amount_fen": amount,
    }
    return api(world.front_desk).post(f"/billing/counter/houses/{world.house.pk}/payments", body)


def as_a_prepayment(api, world, bill, amount):
    body = {"house": world.house.pk, "channel": "sandbox", "purpose": "prepay", "amount_fen": amount}
    return api(world.owner).post("/billing/my/orders", body)


def as_a_waiver(api, world, bill, amount):
    return api(world.front_desk).post(
        f"/billing/bills/{bill.pk}/waivers", {"amount_fen": amount, "reason": "x"}
    )


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (12.5, NOT_FEN),
        ("12.5", NOT_FEN),
        (True, NOT_FEN),
        ("abc", NOT_FEN),
        (None, "请填写金额"),
        (-100, NEGATIVE),
        (0, ZERO),
        (1_000_000_001, TOO_LARGE),
    ],
)
def test_three_endpoints_answer_one_code_and_one_message(world, api, bill, amount, message):
    answers = [send(api, world, bill, amount) for send in (at_the_counter, as_a_prepayment, as_a_waiver)]
    expected = {"code": "invalid_amount", "message": str(message), "fields": {"amount_fen": str(message)}}
    assert [(r.status_code, r.json()) for r in answers] == [(400, expected)] * 3
    assert not Payment.objects.exists() and not Waiver.objects.exists()


def test_a_digit_string_is_whole_fen_everywhere(world, api, bill):
    assert at_the_counter(api, world, bill, "22375").status_code == 201
    assert as_a_prepayment(api, world, bill, "5000").status_code == 201
    assert sorted(Payment.objects.values_list("amount_fen", flat=True)) == [5000, 22375]


def _counter_page(world, bill, amount: str) -> str:
    desk = Client()
    desk.force_login(world.front_desk)
    url = f"/billing/c/{world.a.pk}/counter/{world.house.pk}/"
    form = {
        "key": "amount-page-1",
        "purpose": "bills",
        "bills": [bill.pk],
        "channel": "cash",
        "amount": amount,
    }
    return desk.post(url, form, follow=True).content.decode()


def _prepay_page(world, amount: str) -> str:
    phone = Client()
    phone.force_login(world.owner)
    body = {"house": world.house.pk, "purpose": "prepay", "channel": "sandbox", "amount": amount}
    return phone.post("/billing/pay/", body, follow=True).content.decode()


@pytest.mark.parametrize(
    ("amount", "message"),
    [("12.345", FRACTION_OF_FEN), ("-1", NEGATIVE), ("0.00", ZERO), ("10000000.01", TOO_LARGE)],
)
def test_the_counter_and_prepayment_pages_say_the_same(world, bill, amount, message):
    assert str(message) in _counter_page(world, bill, amount)
    assert str(message) in _prepay_page(world, amount)
    assert not Payment.objects.exists()


def test_the_pages_take_yuan_as_people_type_it(world, bill):
    _counter_page(world, bill, "¥２２３．７５")
    _prepay_page(world, " 1,000.50 元 ")
    assert sorted(Payment.objects.values_list("amount_fen", flat=True)) == [22375, 100050]
