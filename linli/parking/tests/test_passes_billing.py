"""A pass billed with the house's bills where the community bills monthly parking in the app:
the pass waits for its bill, opens the barrier the moment the bill is paid at billing's counter,
is activated by the periodic job otherwise, and its unpaid bill is voided when it is cancelled."""

from django.utils import timezone

from linli.billing import queries as billing
from linli.billing.choices import BillStatus, Channel, FeeKind
from linli.billing.services import counter, ledger
from linli.parking.models import ParkingPass
from linli.parking.services.passes import activate_paid_passes
from linli.testing import billing_money as m
from linli.testing.access import install


def issue(api, world, plate="京A12345"):
    body = {
        "house_id": world.house.id,
        "person_id": world.owner_person.id,
        "plate": plate,
        "period": "monthly",
        "valid_from": timezone.localdate().isoformat(),
        "fee_fen": 30000,
    }
    r = api(world.staff).post(f"/parking/communities/{world.a.id}/passes", body)
    assert r.status_code == 201, r.content
    return r.json()["id"]


def pay_at_billing_counter(world, bill):
    counter.do_take_counter_payment(
        actor=world.front_desk,
        house=world.house,
        channel=Channel.CASH,
        amount_fen=bill.amount_fen,
        idempotency_key=f"pass-bill-{bill.pk}",
        bill_ids=[bill.pk],
    )


def test_a_billed_pass_opens_the_barrier_once_its_bill_is_paid(world, api):
    m.fee_item(world.a, FeeKind.PARKING_MONTHLY, "车位月租", price="0")
    site = install(world)
    site.barrier.allow_temporary_parking = False
    site.barrier.save()
    pass_id = issue(api, world)
    bill = billing.app_bill("parking.pass", pass_id)
    assert (bill.amount_fen, bill.house_id, bill.fee_item.kind) == (
        30000,
        world.house.pk,
        FeeKind.PARKING_MONTHLY,
    )

    def at_barrier():
        return (
            api(token=site.token("barrier"))
            .post("/access/plate-events", {"plate": "京A12345"})
            .json()["reason"]
        )

    assert at_barrier() == "no_temporary_parking"
    r = api(world.staff).post(f"/parking/passes/{pass_id}/pay")  # the money goes through the bill
    assert (r.status_code, r.json()["code"]) == (409, "pass_billed")
    pay_at_billing_counter(world, bill)
    assert at_barrier() == "parking_pass"  # at once, before any periodic run
    assert ParkingPass.objects.get(pk=pass_id).status == "active"
    report = ledger.verify()
    assert report.ok, report.problems


def test_the_periodic_job_activates_paid_passes_and_a_cancelled_one_loses_its_bill(world, api):
    m.fee_item(world.a, FeeKind.PARKING_MONTHLY, "车位月租", price="0")
    paid, cancelled = issue(api, world, "京A12345"), issue(api, world, "京B54321")
    pay_at_billing_counter(world, billing.app_bill("parking.pass", paid))
    assert activate_paid_passes() == 1 and activate_paid_passes() == 0
    assert ParkingPass.objects.get(pk=paid).status == "active"
    unpaid = billing.app_bill("parking.pass", cancelled)
    assert api(world.staff).post(f"/parking/passes/{cancelled}/cancel").status_code == 200
    assert type(unpaid).objects.get(pk=unpaid.pk).status == BillStatus.VOID
    assert ParkingPass.objects.get(pk=cancelled).status == "cancelled"


def test_without_the_fee_item_the_pass_is_paid_at_parkings_counter(world, api):
    pass_id = issue(api, world)
    assert billing.app_bill("parking.pass", pass_id) is None
    assert api(world.staff).post(f"/parking/passes/{pass_id}/pay").json()["status"] == "active"
