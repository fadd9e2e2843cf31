"""Bills other apps raise for what a resident books (a service, a venue's deposit, a parking
pass): one live bill per sold thing, in the ledger like any bill, paid at the counter or online,
voided when the booking is cancelled unpaid and kept when it was paid."""

import pytest

from linli.billing import queries
from linli.billing.choices import BillStatus, Channel, FeeKind
from linli.billing.models import Bill
from linli.billing.services import app_bills, counter, ledger
from linli.core.errors import ServiceError
from linli.testing import billing_money as m


@pytest.fixture
def service_item(world):
    return m.fee_item(world.a, FeeKind.ONE_OFF, "生活服务费", price="0")


def bill_for(world, source_id: int, fen: int = 8000, source: str = "services.booking") -> Bill:
    return app_bills.issue_app_bill(
        community_id=world.a.pk,
        house=world.house,
        payer_person_id=world.owner_person.pk,
        kind=FeeKind.ONE_OFF,
        amount_fen=fen,
        label="家政保洁 2小时",
        source=source,
        source_id=source_id,
    )


def test_it_bills_each_booking_once_even_on_one_house_and_day(world, service_item):
    first, again, second = bill_for(world, 1), bill_for(world, 1), bill_for(world, 2, fen=12000)
    assert first.pk == again.pk and second.pk != first.pk
    assert (first.amount_fen, first.status, first.house_id, first.fee_item_id) == (
        8000,
        BillStatus.UNPAID,
        world.house.pk,
        service_item.pk,
    )
    assert queries.app_bill("services.booking", 2).amount_fen == 12000
    assert queries.app_bill("services.booking", 3) is None
    report = ledger.verify()
    assert report.ok, report.problems


def test_a_bill_paid_at_the_counter_is_paid_for_the_app_and_kept_when_cancelled(world, service_item):
    bill = bill_for(world, 7)
    counter.do_take_counter_payment(
        actor=world.front_desk,
        house=world.house,
        channel=Channel.CASH,
        amount_fen=8000,
        idempotency_key="app-bill-7",
        bill_ids=[bill.pk],
    )
    paid = queries.app_bill("services.booking", 7)
    assert paid.status == BillStatus.PAID and paid.paid_at is not None
    kept = app_bills.cancel_app_bill(source="services.booking", source_id=7, reason="居民取消")
    assert (
        kept.pk == bill.pk and Bill.objects.get(pk=bill.pk).status == BillStatus.PAID
    )  # refunded, not voided
    assert ledger.verify().ok


def test_cancelling_an_unpaid_booking_voids_its_bill_and_a_new_one_may_follow(world, service_item):
    bill = bill_for(world, 9)
    app_bills.cancel_app_bill(source="services.booking", source_id=9, reason="居民取消")
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.VOID
    assert queries.app_bill("services.booking", 9) is None
    assert app_bills.cancel_app_bill(source="services.booking", source_id=9, reason="again") is None
    assert bill_for(world, 9).pk != bill.pk  # booked again: a new live bill
    report = ledger.verify()
    assert report.ok, report.problems


def test_a_community_without_the_fee_item_is_told_so(world):
    with pytest.raises(ServiceError) as refused:
        bill_for(world, 1)
    assert refused.value.code == "no_fee_item"
    assert not Bill.objects.exists()
