"""What a household owes through the app becomes a bill of its house when the community bills
that kind: a service completed and not paid on site, a venue's deposit. The deposit is held once
its bill is paid; a cancelled booking's unpaid deposit bill is voided. Without the fee item the
offline way stays (paid on site, deposit held at the counter)."""

from datetime import datetime, time

import pytest
from django.utils import timezone

from linli.billing import queries as billing
from linli.billing.choices import BillStatus, Channel, FeeKind
from linli.billing.services import counter, ledger
from linli.services.services import venues
from linli.testing import billing_money as m
from linli.testing.services import next_weekday


def at(day, hour: int) -> str:
    return timezone.make_aware(datetime.combine(day, time(hour))).isoformat()


def court(world, deposit_fen=10000):
    return venues.do_create_venue(
        actor=world.staff,
        community_id=world.a.pk,
        name="网球场",
        kind="court",
        opens_at=time(6),
        closes_at=time(22),
        deposit_fen=deposit_fen,
    )


def book_court(api, world, venue):
    r = api(world.owner).post(
        f"/services/venues/{venue.pk}/bookings",
        {"house_id": world.house.pk, "starts_at": at(next_weekday(5), 8), "slots": 1},
    )
    assert r.status_code == 201, r.json()
    return r.json()["id"]


def done_unpaid(api, world, cat) -> int:
    r = api(world.owner).post(
        f"/services/offerings/{cat.offering.pk}/bookings",
        {
            "slot_id": cat.slot.pk,
            "date": next_weekday(cat.slot.weekday).isoformat(),
            "house_id": world.house.pk,
        },
    )
    assert r.status_code == 201, r.json()
    booking = r.json()["id"]
    provider = api(cat.provider_user)
    assert provider.post(f"/services/bookings/{booking}/confirm").status_code == 200
    assert (
        provider.post(
            f"/services/bookings/{booking}/complete", {"fee_fen": 15000, "paid_on_site": False}
        ).status_code
        == 200
    )
    return booking


@pytest.mark.django_db
def test_a_service_not_paid_on_site_is_billed_to_the_house(world, api, cat):
    m.fee_item(world.a, FeeKind.ONE_OFF, "生活服务费", price="0")
    booking = done_unpaid(api, world, cat)
    bill = billing.app_bill("services.booking", booking)
    assert (bill.house_id, bill.amount_fen, bill.status, bill.lines[0]["label"]) == (
        world.house.pk,
        15000,
        BillStatus.UNPAID,
        "日常保洁2小时",
    )
    assert ledger.verify().ok


@pytest.mark.django_db
def test_without_the_fee_item_the_service_is_paid_on_site_as_before(world, api, cat):
    booking = done_unpaid(api, world, cat)
    assert billing.app_bill("services.booking", booking) is None


@pytest.mark.django_db
def test_a_deposit_is_held_once_its_bill_is_paid_and_voided_when_cancelled_unpaid(world, api):
    m.fee_item(world.a, FeeKind.DEPOSIT, "场地押金", price="0")
    venue = court(world)
    held = book_court(api, world, venue)
    bill = billing.app_bill("services.venue_deposit", held)
    assert (bill.amount_fen, bill.fee_item.kind) == (10000, FeeKind.DEPOSIT)
    deposit = f"/services/venue-bookings/{held}/deposit"
    r = api(world.staff).post(deposit, {"step": "hold"})
    assert (r.status_code, r.json()["code"]) == (409, "deposit_unpaid")
    counter.do_take_counter_payment(
        actor=world.front_desk,
        house=world.house,
        channel=Channel.CASH,
        amount_fen=10000,
        idempotency_key="court-deposit",
        bill_ids=[bill.pk],
    )
    assert api(world.staff).post(deposit, {"step": "hold"}).json()["deposit_status"] == "held"

    other = court(world)
    cancelled = book_court(api, world, other)
    unpaid = billing.app_bill("services.venue_deposit", cancelled)
    assert api(world.owner).post(f"/services/venue-bookings/{cancelled}/cancel").status_code == 200
    assert billing.app_bill("services.venue_deposit", cancelled) is None
    assert type(unpaid).objects.get(pk=unpaid.pk).status == BillStatus.VOID
    report = ledger.verify()
    assert report.ok, report.problems
